package bbtest

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestResponsesMatchSpec checks the fake's JSON answers against the
// document's response schemas, so clients are tested against the shapes
// Bitbucket documents.
func TestResponsesMatchSpec(t *testing.T) {
	s, bot := fixture(t)
	requireSpec(t, s)
	human := s.AddUser(NewUser("alice"))
	s.AddComment(ws, slug, 1, Comment{Raw: "seeded", User: human, Inline: &Inline{Path: "main.go", To: 4}})
	_, data := send(t, s, "POST", prPath+"/comments", bearer(bot), comment("x", map[string]any{"path": "main.go", "start_to": 3, "to": 4}))
	id := itoa(int(decode(t, data)["id"].(float64)))
	send(t, s, "POST", prPath+"/comments/"+id+"/resolve", bearer(bot), nil)
	send(t, s, "PUT", reportURL, bearer(bot), map[string]any{"title": "t", "report_type": "BUG", "result": "PASSED",
		"data": []any{map[string]any{"title": "n", "type": "NUMBER", "value": 1}}})
	send(t, s, "POST", reportURL+"/annotations", bearer(bot), annotations(0, 2))

	tests := []struct {
		method, path string
		body         any
	}{
		{"GET", "/user", nil},
		{"GET", "/repositories/acme/widgets", nil},
		{"GET", prPath, nil},
		{"GET", prPath + "/comments", nil},
		{"GET", prPath + "/comments/" + id, nil},
		{"POST", prPath + "/comments", comment("y", nil)},
		{"PUT", prPath + "/comments/" + id, comment("z", nil)},
		{"GET", reportURL, nil},
		{"PUT", reportURL, map[string]any{"title": "t", "result": "FAILED"}},
		{"GET", "/repositories/acme/widgets/commit/" + srcHash + "/reports", nil},
		{"GET", reportURL + "/annotations", nil},
		{"POST", reportURL + "/annotations", annotations(5, 1)},
		{"GET", reportURL + "/annotations/bitreview-1", nil},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			resp, data := send(t, s, tt.method, tt.path, bearer(bot), tt.body)
			require.Less(t, resp.StatusCode, 300, "%s", data)
			if tt.path == "/user" {
				// The check itself works: a wrong shape fails.
				bad := bytes.Replace(data, []byte(`"uuid":"`), []byte(`"uuid":5,"x":"`), 1)
				assert.Error(t, validateResponse(s, tt.method, tt.path, resp, bad))
			}
			if err := validateResponse(s, tt.method, tt.path, resp, data); err != nil {
				t.Errorf("%s", shortErrorResp(err))
			}
			assert.NotContains(t, string(data), ":null", "no nulls")
		})
	}
}

func validateResponse(s *Server, method, path string, resp *http.Response, data []byte) error {
	t, _ := matchTemplates(s.templates, strings.SplitN(path, "?", 2)[0])
	item, op := s.spec.operation(method, t.path)
	req, _ := http.NewRequest(method, s.URL+path, nil)
	return openapi3filter.ValidateResponse(context.Background(), &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{
			Request: req,
			Route:   &routers.Route{Spec: s.spec.doc, Path: t.path, PathItem: item, Method: method, Operation: op},
		},
		Status: resp.StatusCode,
		Header: resp.Header,
		Body:   io.NopCloser(bytes.NewReader(data)),
		Options: &openapi3filter.Options{
			IncludeResponseStatus: true,
			SchemaValidationOptions: []openapi3.SchemaValidationOption{
				openapi3.EnableFormatValidation(),
				openapi3.WithStringFormatValidator("uri", uriFormat),
			},
		},
	})
}

func shortErrorResp(err error) string {
	if se := deepestSchemaError(err); se != nil {
		return "/" + strings.Join(se.JSONPointer(), "/") + ": " + se.Reason
	}
	return err.Error()
}
