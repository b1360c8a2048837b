package repoconfig

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
	"go.yaml.in/yaml/v4"
	"go.yaml.in/yaml/v4/plugin/loaderlimits"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

// maxAliasValues bounds the values anchors and aliases may add to a file
// when they are expanded. A real config repeats a few instructions; a
// YAML alias bomb (a few hundred bytes whose aliases nest to billions of
// values) is refused after this many. go-yaml's default guard only
// limits the share of aliased values, which a padded file keeps under 99 %
// while expanding to ~400,000 values (over 50 MB).
const maxAliasValues = 10_000

// maxDepth bounds the nesting of the file; the schema needs 3 levels.
const maxDepth = 64

// errAliasBomb is the cause of a file refused for maxAliasValues.
var errAliasBomb = fmt.Errorf("anchors and aliases expand to more than %d values (a YAML alias bomb?)", maxAliasValues)

// loadOptions are the go-yaml limits for reading the file: expanded
// aliases and nesting depth.
func loadOptions() yaml.Option {
	return yaml.WithPlugin(loaderlimits.New(
		loaderlimits.AliasFunc(func(aliased, _ int) error {
			if aliased > maxAliasValues {
				return errAliasBomb
			}
			return nil
		}),
		loaderlimits.DepthValue(maxDepth),
	))
}

// Problem is one thing wrong with the file, located by key path and line.
type Problem struct {
	Key    string // e.g. "paths[2].instructions"; "" for the whole file
	Line   int    // 1-based; 0 when unknown
	Column int
	Msg    string
	// UnknownKey marks a key the schema does not know (a warning: the
	// key is ignored); Suggest is the known key of the same mapping it is
	// closest to, or "".
	UnknownKey bool
	Suggest    string
}

func (p Problem) String() string {
	key := p.Key
	if key == "" {
		key = "(file)"
	}
	if p.Line > 0 {
		return fmt.Sprintf("%s: %s, line %d", key, p.Msg, p.Line)
	}
	return key + ": " + p.Msg
}

// Error lists every error of a file that cannot be used.
type Error struct {
	File     string
	Problems []Problem
}

func (e *Error) Error() string {
	parts := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		parts[i] = p.String()
	}
	return e.File + ": " + strings.Join(parts, "; ")
}

// Parse reads and validates a config file. Unknown keys are returned as
// warnings; anything else wrong is an *Error and no Config is returned.
func Parse(name string, data []byte) (*Config, []Problem, error) {
	if len(data) > MaxSize {
		return nil, nil, TooLarge(name)
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return &Config{}, nil, nil
	}
	root, doc, err := load(data)
	if err != nil {
		return nil, nil, &Error{File: name, Problems: []Problem{loadProblem(err)}}
	}
	if doc == nil {
		return &Config{}, nil, nil
	}
	if _, ok := doc.(map[string]any); !ok {
		return nil, nil, &Error{File: name, Problems: []Problem{{Line: 1, Msg: "the file must be a mapping of keys to values"}}}
	}
	raw, err := json.Marshal(doc)
	if err != nil {
		return nil, nil, &Error{File: name, Problems: []Problem{{Msg: "unsupported YAML value: " + err.Error()}}}
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		return nil, nil, &Error{File: name, Problems: []Problem{{Msg: err.Error()}}}
	}
	sch, err := compiled()
	if err != nil {
		return nil, nil, err
	}
	var errs, warns []Problem
	if verr := sch.Validate(inst); verr != nil {
		var ve *jsonschema.ValidationError
		if !errors.As(verr, &ve) {
			return nil, nil, verr
		}
		for _, leaf := range leaves(ve) {
			if ap, ok := leaf.ErrorKind.(*kind.AdditionalProperties); ok {
				for _, prop := range ap.Properties {
					loc := append(append([]string(nil), leaf.InstanceLocation...), prop)
					w := locate(root, loc, "unknown key, ignored")
					w.UnknownKey, w.Suggest = true, suggestKey(prop, leaf.InstanceLocation)
					if w.Suggest != "" {
						w.Msg += " (did you mean " + w.Suggest + "?)"
					}
					warns = append(warns, w)
				}
				continue
			}
			errs = append(errs, locate(root, leaf.InstanceLocation, describe(leaf.ErrorKind)))
		}
	}
	sortProblems(errs)
	sortProblems(warns)
	if len(errs) > 0 {
		return nil, warns, &Error{File: name, Problems: errs}
	}
	var cfg Config
	if err := json.Unmarshal(raw, &cfg); err != nil {
		return nil, warns, &Error{File: name, Problems: []Problem{{Msg: err.Error()}}}
	}
	return &cfg, warns, nil
}

var schemaOnce = sync.OnceValues(func() (*jsonschema.Schema, error) {
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(Schema))
	if err != nil {
		return nil, fmt.Errorf("embedded schema: %w", err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource("schema.json", doc); err != nil {
		return nil, fmt.Errorf("embedded schema: %w", err)
	}
	return c.Compile("schema.json")
})

// compiled returns the schema, compiled once per process (it never
// changes, so the cache is not mutable state in any meaningful sense).
func compiled() (*jsonschema.Schema, error) { return schemaOnce() }

func leaves(e *jsonschema.ValidationError) []*jsonschema.ValidationError {
	if len(e.Causes) == 0 {
		return []*jsonschema.ValidationError{e}
	}
	var out []*jsonschema.ValidationError
	for _, c := range e.Causes {
		out = append(out, leaves(c)...)
	}
	return out
}

var printer = message.NewPrinter(language.English)

func describe(k jsonschema.ErrorKind) string {
	switch k := k.(type) {
	case *kind.Type:
		return "expected " + strings.Join(k.Want, " or ") + ", got " + k.Got
	case *kind.Enum:
		var want []string
		for _, w := range k.Want {
			want = append(want, fmt.Sprint(w))
		}
		return "must be one of " + strings.Join(want, ", ")
	case *kind.Required:
		return "missing " + strings.Join(k.Missing, ", ")
	}
	return k.LocalizedString(printer)
}

// load reads the file's single document as a node tree (for line numbers)
// and as plain values with string keys (for the schema). A file of only
// comments has no document: root and doc are nil.
func load(data []byte) (root *yaml.Node, doc any, err error) {
	loader, err := yaml.NewLoader(bytes.NewReader(data), loadOptions())
	if err != nil {
		return nil, nil, err
	}
	var n yaml.Node
	if err := loader.Load(&n); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, nil, nil
		}
		return nil, nil, err
	}
	if err := n.Load(&doc, loadOptions()); err != nil {
		return nil, nil, err
	}
	return &n, stringKeys(doc), nil
}

// stringKeys turns mappings with non-string keys (1: x, true: y), which
// go-yaml loads as map[any]any, into map[string]any, so that the schema
// reports them as unknown keys instead of JSON failing on them.
func stringKeys(v any) any {
	switch v := v.(type) {
	case map[any]any:
		m := make(map[string]any, len(v))
		for k, x := range v {
			m[fmt.Sprint(k)] = stringKeys(x)
		}
		return m
	case map[string]any:
		for k, x := range v {
			v[k] = stringKeys(x)
		}
	case []any:
		for i, x := range v {
			v[i] = stringKeys(x)
		}
	}
	return v
}

// locate turns a JSON instance location into a key path and the line and
// column where the file says it: the key of a mapping entry, or the item
// of a sequence.
func locate(root *yaml.Node, loc []string, msg string) Problem {
	var key strings.Builder
	n := root
	if n != nil && n.Kind == yaml.DocumentNode && len(n.Content) > 0 {
		n = n.Content[0]
	}
	at := n // the node whose position is reported
	for _, seg := range loc {
		n = deref(n)
		if n != nil && n.Kind == yaml.SequenceNode {
			fmt.Fprintf(&key, "[%s]", seg)
			i, err := strconv.Atoi(seg)
			if err != nil || i < 0 || i >= len(n.Content) {
				at, n = nil, nil
				continue
			}
			n = n.Content[i]
			at = n
			continue
		}
		if key.Len() > 0 {
			key.WriteByte('.')
		}
		key.WriteString(seg)
		at, n = entry(n, seg, 0)
	}
	p := Problem{Key: key.String(), Msg: msg}
	if at != nil {
		p.Line, p.Column = at.Line, at.Column
	}
	return p
}

// deref follows an alias to its anchored node.
func deref(n *yaml.Node) *yaml.Node {
	for i := 0; n != nil && n.Kind == yaml.AliasNode && i < maxDepth; i++ {
		n = n.Alias
	}
	return n
}

// entry finds name in mapping m, or in the mappings it merges with "<<",
// and returns its key and value nodes (nil, nil when absent).
func entry(m *yaml.Node, name string, depth int) (k, v *yaml.Node) {
	if m = deref(m); m == nil || m.Kind != yaml.MappingNode || depth > maxDepth {
		return nil, nil
	}
	var merged []*yaml.Node
	for i := 0; i+1 < len(m.Content); i += 2 {
		kn, vn := m.Content[i], m.Content[i+1]
		switch {
		case kn.ShortTag() == "!!merge":
			if vn = deref(vn); vn != nil && vn.Kind == yaml.SequenceNode {
				merged = append(merged, vn.Content...)
			} else {
				merged = append(merged, vn)
			}
		case kn.Value == name:
			return kn, vn
		}
	}
	for _, mm := range merged {
		if k, v := entry(mm, name, depth+1); k != nil {
			return k, v
		}
	}
	return nil, nil
}

// loadProblem turns a go-yaml error into a Problem at its line and column.
func loadProblem(err error) Problem {
	if errors.Is(err, errAliasBomb) {
		return Problem{Msg: errAliasBomb.Error()}
	}
	p := Problem{Msg: "not valid YAML: " + err.Error()}
	var le *yaml.LoadError
	if errors.As(err, &le) {
		p.Line, p.Column = le.Mark.Line, le.Mark.Column
		p.Msg = "not valid YAML: " + strings.TrimPrefix(le.Message, "yaml: ")
	}
	return p
}

func sortProblems(ps []Problem) {
	sort.SliceStable(ps, func(i, j int) bool {
		if ps[i].Line != ps[j].Line {
			return ps[i].Line < ps[j].Line
		}
		return ps[i].Key < ps[j].Key
	})
}

// TooLarge is the error of a config file over MaxSize, also for a reader
// that refused to read one that large.
func TooLarge(name string) *Error {
	return &Error{File: name, Problems: []Problem{{Msg: fmt.Sprintf("file is larger than the %d KB limit", MaxSize>>10)}}}
}
