package main

import (
	bbservice "github.com/bitreview/bitreview/service/bitbucket"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bitreview/bitreview/bbapi/bbtest"
	"github.com/bitreview/bitreview/settings"
)

// authProxy stands in for the Pipelines auth proxy: it receives requests
// for http://api.bitbucket.org/2.0/…, adds the pipeline's credentials and
// forwards them (here, to the fake).
type authProxy struct {
	mu    sync.Mutex
	hosts []string
	auth  []string
}

func (p *authProxy) start(t *testing.T, target, token string) string {
	u, err := url.Parse(target)
	require.NoError(t, err)
	rp := &httputil.ReverseProxy{Rewrite: func(r *httputil.ProxyRequest) {
		p.mu.Lock()
		p.hosts = append(p.hosts, r.In.URL.Host)
		p.auth = append(p.auth, r.In.Header.Get("Authorization"))
		p.mu.Unlock()
		r.Out.URL.Scheme, r.Out.URL.Host = u.Scheme, u.Host
		r.Out.Host = u.Host
		r.Out.Header.Set("Authorization", "Bearer "+token)
	}}
	srv := httptest.NewServer(rp)
	t.Cleanup(srv.Close)
	return srv.URL
}

func TestTokenlessRunReportsThroughTheAuthProxy(t *testing.T) {
	bb := bbtest.New(t)
	pipeline := bb.AddUser(bbtest.NewUser("pipelines"))
	bb.AddCommit(ws, slug, srcSHA)
	var proxy authProxy
	proxyURL := proxy.start(t, bb.URL, pipeline.AccessToken)

	cfg, cerr := settings.Load([]string{
		"BITBUCKET_WORKSPACE=" + ws, "BITBUCKET_REPO_SLUG=" + slug, "BITBUCKET_PR_ID=7",
		"BITBUCKET_COMMIT=" + srcSHA, "BITBUCKET_PIPELINE_UUID={p}", "LLM_API_KEY=k",
	})
	require.Nil(t, cerr)
	cerr = cfg.Validate("pipe")
	require.NotNil(t, cerr, "no token: a configuration error")
	require.True(t, cfg.ReportsWithoutToken())

	client, err := newProxyClient(proxyURL, proxyAPIBase)
	require.NoError(t, err)
	require.NoError(t, bbservice.ReportNotConfigured(t.Context(), client, cfg.Workspace, cfg.RepoSlug, cfg.Commit, cerr.Problems))

	r, ok := bb.Report(ws, slug, srcSHA, "bitreview")
	require.True(t, ok)
	assert.Equal(t, "FAILED", r.Result)
	assert.Contains(t, r.Details, "BITBUCKET_ACCESS_TOKEN")
	assert.NotContains(t, r.Details, "No findings")
	proxy.mu.Lock()
	defer proxy.mu.Unlock()
	require.NotEmpty(t, proxy.hosts)
	for i, h := range proxy.hosts {
		assert.Equal(t, "api.bitbucket.org", h, "requests go to the public API through the proxy")
		assert.Empty(t, proxy.auth[i], "the pipe sends no credentials of its own")
	}
	for _, req := range bb.Requests() {
		assert.True(t, strings.Contains(req.Path, "/reports/"), "only Code Insights goes through the proxy: %s", req.Path)
	}
}
