package subset

import (
	"flag"
	"os"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite testdata/subset.golden.json")

var thingOps = []Op{{"GET", "/things/{id}"}, {"PUT", "/things/{id}"}}

func TestGenerateGolden(t *testing.T) {
	full, err := os.ReadFile("testdata/full.json")
	require.NoError(t, err)
	got, err := Generate(full, thingOps)
	require.NoError(t, err)
	if *update {
		require.NoError(t, os.WriteFile("testdata/subset.golden.json", got, 0o644))
	}
	want, err := os.ReadFile("testdata/subset.golden.json")
	require.NoError(t, err)
	assert.Equal(t, string(want), string(got))

	again, err := Generate(full, []Op{thingOps[1], thingOps[0]})
	require.NoError(t, err)
	assert.Equal(t, string(got), string(again), "the same input gives the same bytes")

	// The subset is an OpenAPI document kin-openapi loads, and it keeps
	// what validation needs.
	doc, err := openapi3.NewLoader().LoadFromData(got)
	require.NoError(t, err)
	item := doc.Paths.Value("/things/{id}")
	require.NotNil(t, item)
	assert.NotNil(t, item.Get)
	assert.NotNil(t, item.Put)
	assert.Nil(t, item.Delete, "an operation not asked for is dropped")
	assert.Nil(t, doc.Paths.Value("/others"))
	assert.Len(t, item.Parameters, 1, "path-level parameters stay")
	assert.Empty(t, item.Get.Description)
	assert.Empty(t, item.Get.Summary)
	assert.Empty(t, item.Get.Tags)
	assert.Nil(t, item.Get.Security)
	assert.NotNil(t, item.Get.Extensions["x-atlassian-oauth2-scopes"])
	assert.True(t, item.Put.Deprecated)

	schemas := doc.Components.Schemas
	for _, name := range []string{"thing", "part/inner", "cat", "dog", "base", "error", "body"} {
		assert.Contains(t, schemas, name, "referenced, directly or not")
	}
	assert.NotContains(t, schemas, "unused")
	assert.NotContains(t, doc.Components.RequestBodies, "unused_body")
	assert.Contains(t, doc.Components.RequestBodies, "thing_body")
	assert.Empty(t, doc.Components.SecuritySchemes)

	thing := schemas["thing"].Value
	assert.Empty(t, thing.Description)
	assert.Empty(t, thing.Title)
	assert.Nil(t, thing.ExternalDocs)
	assert.Equal(t, []string{"summary", "type"}, thing.Required)
	assert.ElementsMatch(t, []string{"summary", "description", "title", "big", "kind", "meta", "part", "parent", "pet", "x-note"}, keys(thing.Properties))
	assert.Equal(t, []any{"plain", "fancy"}, thing.Properties["kind"].Value.Enum)
	assert.Equal(t, map[string]any{"description": "a default value is data"}, thing.Properties["meta"].Value.Default)
	assert.Nil(t, thing.Properties["title"].Value.Example)
	assert.Contains(t, string(got), "9007199254740993", "numbers are kept exactly")
	assert.NotContains(t, string(got), "A long text")
}

func keys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func TestGenerateErrors(t *testing.T) {
	doc := func(paths, schemas string) []byte {
		return []byte(`{"openapi":"3.0.0","info":{"title":"t","version":"1"},"paths":` + paths + `,"components":{"schemas":` + schemas + `}}`)
	}
	get := func(schema string) string {
		return `{"/a":{"get":{"responses":{"200":{"description":"","content":{"application/json":{"schema":` + schema + `}}}}}}}`
	}
	tests := []struct {
		name string
		full []byte
		ops  []Op
		want string
	}{
		{"not JSON", []byte(`{"openapi":`), []Op{{"GET", "/a"}}, "decode document"},
		{"path not in the document", doc(get(`{}`), `{}`), []Op{{"GET", "/b"}}, "/b is not in the document"},
		{"method not in the document", doc(get(`{}`), `{}`), []Op{{"POST", "/a"}}, "POST /a is not in the document"},
		{"missing component", doc(get(`{"$ref":"#/components/schemas/x"}`), `{}`), []Op{{"GET", "/a"}}, "#/components/schemas/x is not in the document"},
		{"missing component behind another", doc(get(`{"$ref":"#/components/schemas/x"}`), `{"x":{"items":{"$ref":"#/components/schemas/y"}}}`), []Op{{"GET", "/a"}}, "#/components/schemas/y is not in the document"},
		{"external reference", doc(get(`{"$ref":"other.json#/x"}`), `{}`), []Op{{"GET", "/a"}}, "unsupported reference other.json#/x"},
		{"reference outside components", doc(get(`{"$ref":"#/paths/~1a"}`), `{}`), []Op{{"GET", "/a"}}, "unsupported reference #/paths/~1a"},
		{"path item reference", doc(`{"/a":{"$ref":"#/x","get":{"responses":{}}}}`, `{}`), []Op{{"GET", "/a"}}, "is a reference"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Generate(tt.full, tt.ops)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
}

func TestSumLine(t *testing.T) {
	assert.Equal(t, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855  openapi.json\n", SumLine(nil, "openapi.json"))
}
