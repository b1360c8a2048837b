package relay

import (
	"context"
	"strconv"

	"github.com/bitreview/bitreview/bbapi"
)

// The custom pipeline and its variables (product.md).
const (
	DefaultPipeline = "bitreview"
	VarPRID         = "BITREVIEW_PR_ID"
	VarCommentID    = "BITREVIEW_COMMENT_ID"
	VarCommand      = "BITREVIEW_COMMAND"
)

// BitbucketStarter starts the custom pipeline through the REST API. The
// client's credentials need read:pipeline:bitbucket and
// write:pipeline:bitbucket (an access token's Pipelines: Write).
type BitbucketStarter struct {
	Client *bbapi.Client
	// Pipeline is the custom pipeline's name; "" means DefaultPipeline.
	Pipeline string
}

var _ Starter = BitbucketStarter{}

// StartPipeline runs the custom pipeline on the trigger's destination
// branch with BITREVIEW_PR_ID, BITREVIEW_COMMENT_ID (comment triggers
// only) and BITREVIEW_COMMAND.
//
// Bitbucket API: POST /repositories/{workspace}/{repo_slug}/pipelines/.
func (b BitbucketStarter) StartPipeline(ctx context.Context, t Trigger) (Started, error) {
	name := b.Pipeline
	if name == "" {
		name = DefaultPipeline
	}
	vars := []bbapi.PipelineVariable{{Key: VarPRID, Value: strconv.Itoa(t.PullRequestID)}}
	if t.CommentID > 0 {
		vars = append(vars, bbapi.PipelineVariable{Key: VarCommentID, Value: strconv.Itoa(t.CommentID)})
	}
	vars = append(vars, bbapi.PipelineVariable{Key: VarCommand, Value: string(t.Command)})
	p, _, err := b.Client.RunPipeline(ctx, t.Workspace, t.Repo, bbapi.CustomPipelineOnBranch(t.Branch, name, vars...))
	if err != nil {
		return Started{}, err
	}
	return Started{UUID: p.UUID, BuildNumber: p.BuildNumber}, nil
}
