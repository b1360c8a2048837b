package bbtest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
)

// loadSpec parses and patches a document; name is what SpecPath reports. A
// document that internal/specgen wrote (the embedded one, or a copy of it
// given as a file) is a subset.
func loadSpec(name string, data []byte) (*specDoc, error) {
	start := time.Now()
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(data)
	if err != nil {
		return nil, fmt.Errorf("bbtest: load %s: %w", name, err)
	}
	subset := doc.Info != nil && doc.Info.Extensions["x-generated-by"] != nil
	patchSpec(doc)
	sd := &specDoc{path: name, raw: data, subset: subset, doc: doc}
	for p := range doc.Paths.Map() {
		sd.paths = append(sd.paths, compileTemplate(p))
	}
	sort.Slice(sd.paths, func(i, j int) bool { return sd.paths[i].path < sd.paths[j].path })
	sd.loadTime = time.Since(start)
	return sd, nil
}

// patchSpec corrects the known differences between the published document
// and the live API (see shared/bitbucket/README.md beside the repository):
//
//   - "type" is dropped from every required list. The base schema "object"
//     (and the schemas built on it: comment, report, report_annotation, …)
//     requires it, but the live API rejects request bodies that carry it, so
//     clients must not send it. The live rule is enforced separately.
//   - report_data.value is declared as an object, yet the document itself
//     says values are booleans, numbers, strings, dates in ms or {text,
//     href} links; the constraint is removed.
//
// The extra write:pullrequest scope on comment writes is added by the route
// table, not here (see extraScopes in server.go).
func patchSpec(doc *openapi3.T) {
	seen := make(map[*openapi3.Schema]bool)
	var walk func(ref *openapi3.SchemaRef)
	walk = func(ref *openapi3.SchemaRef) {
		if ref == nil || ref.Value == nil || seen[ref.Value] {
			return
		}
		s := ref.Value
		seen[s] = true
		if i := indexOf(s.Required, "type"); i >= 0 {
			s.Required = append(append([]string(nil), s.Required[:i]...), s.Required[i+1:]...)
			if len(s.Required) == 0 {
				s.Required = nil
			}
		}
		for _, p := range s.Properties {
			walk(p)
		}
		for _, l := range [][]*openapi3.SchemaRef{s.AllOf, s.AnyOf, s.OneOf} {
			for _, x := range l {
				walk(x)
			}
		}
		walk(s.Items)
		walk(s.Not)
		if s.AdditionalProperties.Schema != nil {
			walk(s.AdditionalProperties.Schema)
		}
	}
	for _, s := range doc.Components.Schemas {
		walk(s)
	}
	for _, item := range doc.Paths.Map() {
		for _, op := range item.Operations() {
			if op.RequestBody != nil && op.RequestBody.Value != nil {
				for _, mt := range op.RequestBody.Value.Content {
					walk(mt.Schema)
				}
			}
		}
	}
	if rd := doc.Components.Schemas["report_data"]; rd != nil && rd.Value != nil {
		if v := rd.Value.Properties["value"]; v != nil && v.Value != nil {
			patched := *v.Value
			patched.Type = nil
			rd.Value.Properties["value"] = openapi3.NewSchemaRef("", &patched)
		}
	}
}

func indexOf(list []string, s string) int {
	for i, x := range list {
		if x == s {
			return i
		}
	}
	return -1
}

// operation returns the spec operation for (method, template), or nil.
func (sd *specDoc) operation(method, path string) (*openapi3.PathItem, *openapi3.Operation) {
	item := sd.doc.Paths.Value(path)
	if item == nil {
		return nil, nil
	}
	return item, item.GetOperation(method)
}

// scopes returns the API-token scopes the spec lists for an operation in
// x-atlassian-oauth2-scopes.
func specScopes(op *openapi3.Operation) []string {
	raw, _ := op.Extensions["x-atlassian-oauth2-scopes"].([]any)
	var out []string
	for _, e := range raw {
		m, _ := e.(map[string]any)
		if st, _ := m["state"].(string); st != "" && st != "Current" {
			continue
		}
		list, _ := m["scopes"].([]any)
		for _, sc := range list {
			if str, ok := sc.(string); ok && indexOf(out, str) < 0 {
				out = append(out, str)
			}
		}
	}
	return out
}

var uriFormat = openapi3.NewCallbackValidator(func(s string) error {
	u, err := url.Parse(s)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return errors.New("not an absolute URI")
	}
	return nil
})

// validate checks the request's parameters and JSON body against the spec
// operation. It returns a short reason, or "".
func (sd *specDoc) validate(r *http.Request, body []byte, path string, item *openapi3.PathItem, op *openapi3.Operation, params map[string]string) string {
	req := r.Clone(context.Background())
	req.Body = &bodyReader{bytes.NewReader(body)}
	req.ContentLength = int64(len(body))
	input := &openapi3filter.RequestValidationInput{
		Request:    req,
		PathParams: params,
		Route: &routers.Route{
			Spec: sd.doc, Path: path, PathItem: item, Method: r.Method, Operation: op,
		},
		Options: &openapi3filter.Options{
			AuthenticationFunc:  openapi3filter.NoopAuthenticationFunc,
			SkipSettingDefaults: true,
			SchemaValidationOptions: []openapi3.SchemaValidationOption{
				openapi3.DisableSchemaErrorDetails(),
				openapi3.EnableFormatValidation(),
				openapi3.WithStringFormatValidator("uri", uriFormat),
			},
		},
	}
	err := openapi3filter.ValidateRequest(context.Background(), input)
	if err == nil {
		return ""
	}
	return shortError(err)
}

type bodyReader struct{ *bytes.Reader }

func (bodyReader) Close() error { return nil }

// shortError condenses a kin-openapi error into one line naming where the
// request went wrong.
func shortError(err error) string {
	var re *openapi3filter.RequestError
	var se *openapi3.SchemaError
	where := "request"
	if errors.As(err, &re) {
		switch {
		case re.Parameter != nil:
			where = fmt.Sprintf("%s parameter %q", re.Parameter.In, re.Parameter.Name)
		case re.RequestBody != nil:
			where = "request body"
		}
	}
	if se = deepestSchemaError(err); se != nil {
		ptr := "/" + strings.Join(se.JSONPointer(), "/")
		reason := se.Reason
		if reason == "" {
			reason = fmt.Sprintf("does not match schema %q", se.SchemaField)
		}
		if where == "request body" {
			return fmt.Sprintf("%s at %s: %s", where, ptr, reason)
		}
		return fmt.Sprintf("%s: %s", where, reason)
	}
	if re != nil {
		msg := re.Reason
		if re.Err != nil {
			if msg != "" {
				msg += ": "
			}
			msg += re.Err.Error()
		}
		return fmt.Sprintf("%s: %s", where, msg)
	}
	return err.Error()
}

// deepestSchemaError finds the most specific schema error: allOf wraps the
// real one (at /inline/to, say) in errors that point at the root.
func deepestSchemaError(err error) *openapi3.SchemaError {
	var best *openapi3.SchemaError
	var walk func(error)
	walk = func(e error) {
		if e == nil {
			return
		}
		if se, ok := e.(*openapi3.SchemaError); ok {
			if best == nil || len(se.JSONPointer()) >= len(best.JSONPointer()) {
				best = se
			}
			walk(se.Origin)
			return
		}
		if me, ok := e.(openapi3.MultiError); ok {
			for _, x := range me {
				walk(x)
			}
			return
		}
		if u, ok := e.(interface{ Unwrap() []error }); ok {
			for _, x := range u.Unwrap() {
				walk(x)
			}
			return
		}
		walk(errors.Unwrap(e))
	}
	walk(err)
	return best
}
