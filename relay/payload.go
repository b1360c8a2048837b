package relay

import "encoding/json"

// The parts of Bitbucket's event payloads the relay reads
// (https://support.atlassian.com/bitbucket-cloud/docs/event-payloads/).
// Pointers distinguish an absent object from an empty one: a missing field
// that a decision needs makes the delivery ignored.

type account struct {
	Type      string `json:"type"`
	UUID      string `json:"uuid"`
	AccountID string `json:"account_id"`
}

type repository struct {
	FullName string `json:"full_name"`
	UUID     string `json:"uuid"`
}

type endpoint struct {
	Branch *struct {
		Name string `json:"name"`
	} `json:"branch"`
	Commit *struct {
		Hash string `json:"hash"`
	} `json:"commit"`
	Repository *repository `json:"repository"`
}

type pullRequest struct {
	ID          int       `json:"id"`
	State       string    `json:"state"`
	Source      *endpoint `json:"source"`
	Destination *endpoint `json:"destination"`
	UpdatedOn   string    `json:"updated_on"`
}

type comment struct {
	ID      int `json:"id"`
	Content *struct {
		Raw *string `json:"raw"`
	} `json:"content"`
	User      *account `json:"user"`
	Deleted   bool     `json:"deleted"`
	UpdatedOn string   `json:"updated_on"`
}

// event is the envelope of the pullrequest:* events. Which objects it
// holds says which event it is (route).
type event struct {
	Actor          *account        `json:"actor"`
	Repository     *repository     `json:"repository"`
	PullRequest    *pullRequest    `json:"pullrequest"`
	Comment        *comment        `json:"comment"`
	Approval       json.RawMessage `json:"approval"`
	ChangesRequest json.RawMessage `json:"changes_request"`
}
