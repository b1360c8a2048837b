package bbtest

import (
	"encoding/base64"
	"fmt"
	"hash/fnv"
	"net/http"
	"slices"
	"strings"
)

// User is an account the fake accepts. A request authenticates with
// "Authorization: Bearer <AccessToken>" (an access token) or "Basic
// base64(Email:APIToken)" (a scoped API token). Scopes are in API-token form
// ("read:pullrequest:bitbucket") for both kinds.
type User struct {
	UUID        string // with braces, as Bitbucket writes it: "{…}"
	AccountID   string
	DisplayName string
	Nickname    string
	Email       string
	APIToken    string
	AccessToken string
	Scopes      []string
	// Type is the account type in responses; "" means "user".
	Type string
}

// Public returns the user without credentials, the way comments and pull
// requests carry their author.
func (u User) Public() User {
	u.APIToken, u.AccessToken, u.Scopes = "", "", nil
	return u
}

// Scope strings.
const (
	ScopeReadUser         = "read:user:bitbucket"
	ScopeReadRepository   = "read:repository:bitbucket"
	ScopeWriteRepository  = "write:repository:bitbucket"
	ScopeReadPullRequest  = "read:pullrequest:bitbucket"
	ScopeWritePullRequest = "write:pullrequest:bitbucket"
)

// allScopes is every scope that appears in the official document's
// x-atlassian-oauth2-scopes (checked by TestAllScopesCoverSpec).
var allScopes = []string{
	"admin:pipeline:bitbucket", "admin:project:bitbucket", "admin:repository:bitbucket",
	"admin:workspace:bitbucket", "delete:gpg-key:bitbucket", "delete:issue:bitbucket",
	"delete:permission:bitbucket", "delete:repository:bitbucket", "delete:snippet:bitbucket",
	"delete:ssh-key:bitbucket", "delete:webhook:bitbucket", "read:gpg-key:bitbucket",
	"read:issue:bitbucket", "read:pipeline:bitbucket", "read:project:bitbucket",
	"read:pullrequest:bitbucket", "read:repository:bitbucket", "read:runner:bitbucket",
	"read:snippet:bitbucket", "read:ssh-key:bitbucket", "read:user:bitbucket",
	"read:webhook:bitbucket", "read:workspace:bitbucket", "write:gpg-key:bitbucket",
	"write:issue:bitbucket", "write:permission:bitbucket", "write:pipeline:bitbucket",
	"write:pullrequest:bitbucket", "write:repository:bitbucket", "write:runner:bitbucket",
	"write:snippet:bitbucket", "write:ssh-key:bitbucket", "write:user:bitbucket",
	"write:webhook:bitbucket",
}

// AllScopes returns every API-token scope the official document mentions.
func AllScopes() []string { return slices.Clone(allScopes) }

// NewUser returns a user with deterministic identifiers and credentials
// derived from nickname, holding AllScopes. Register it with AddUser.
func NewUser(nickname string) User {
	h := fnv.New64a()
	h.Write([]byte(nickname))
	sum := h.Sum64()
	return User{
		UUID:        fmt.Sprintf("{%08x-0000-4000-8000-%012x}", uint32(sum>>32), sum&0xffffffffffff),
		AccountID:   fmt.Sprintf("557058:%016x", sum),
		DisplayName: nickname,
		Nickname:    nickname,
		Email:       nickname + "@example.com",
		APIToken:    "ATATT-" + nickname + "-api-token",
		AccessToken: "ATCTT-" + nickname + "-access-token",
		Scopes:      AllScopes(),
	}
}

// AddUser registers u, replacing any user with the same UUID (so a test can
// change a user's scopes). A missing UUID is derived from the nickname.
func (s *Server) AddUser(u User) User {
	if u.UUID == "" {
		u.UUID = NewUser(u.Nickname + u.Email + u.AccessToken).UUID
	}
	u.Scopes = slices.Clone(u.Scopes)
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := range s.users {
		if s.users[i].UUID == u.UUID {
			s.users[i] = u
			return u
		}
	}
	s.users = append(s.users, u)
	return u
}

// authenticate finds the user behind the Authorization header. redacted is
// the header reduced to its scheme and user, for the request log.
func (s *Server) authenticate(h string) (u *User, redacted string) {
	scheme, cred, _ := strings.Cut(h, " ")
	cred = strings.TrimSpace(cred)
	switch strings.ToLower(scheme) {
	case "":
		return nil, ""
	case "bearer":
		s.mu.Lock()
		defer s.mu.Unlock()
		for i := range s.users {
			if s.users[i].AccessToken != "" && s.users[i].AccessToken == cred {
				u := s.users[i]
				return &u, "Bearer " + u.Nickname
			}
		}
		return nil, "Bearer (unknown token)"
	case "basic":
		raw, err := base64.StdEncoding.DecodeString(cred)
		if err != nil {
			return nil, "Basic (malformed)"
		}
		email, token, _ := strings.Cut(string(raw), ":")
		s.mu.Lock()
		defer s.mu.Unlock()
		for i := range s.users {
			if s.users[i].APIToken != "" && s.users[i].Email == email && s.users[i].APIToken == token {
				u := s.users[i]
				return &u, "Basic " + email
			}
		}
		return nil, "Basic " + email + " (unknown)"
	default:
		return nil, scheme
	}
}

func writeUnauthorized(w http.ResponseWriter, hadCredentials bool) {
	msg := "Authentication is required to access this resource."
	if hadCredentials {
		msg = "Token is invalid, expired, or not supported for this endpoint."
	}
	w.Header().Set("WWW-Authenticate", `Basic realm="Bitbucket.org HTTP"`)
	writeError(w, http.StatusUnauthorized, msg, "")
}

// missingScopes returns the required scopes u lacks.
func missingScopes(u *User, required []string) []string {
	var miss []string
	for _, r := range required {
		if !slices.Contains(u.Scopes, r) {
			miss = append(miss, r)
		}
	}
	return miss
}

func writeScopeError(w http.ResponseWriter, required, granted []string) {
	if granted == nil {
		granted = []string{}
	}
	writeJSON(w, http.StatusForbidden, map[string]any{
		"type": "error",
		"error": map[string]any{
			"message": "Your credentials lack one or more required privilege scopes.",
			"detail":  map[string]any{"required": required, "granted": granted},
		},
	})
}
