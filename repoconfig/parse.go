package repoconfig

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"
	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

// Problem is one thing wrong with the file, located by key path and line.
type Problem struct {
	Key    string // e.g. "paths[2].instructions"; "" for the whole file
	Line   int    // 1-based; 0 when unknown
	Column int
	Msg    string
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
		return nil, nil, &Error{File: name, Problems: []Problem{{Msg: fmt.Sprintf("file is %d KB, larger than the %d KB limit", len(data)>>10, MaxSize>>10)}}}
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return &Config{}, nil, nil
	}
	file, err := parser.ParseBytes(data, 0)
	if err != nil {
		return nil, nil, &Error{File: name, Problems: []Problem{syntaxProblem(err)}}
	}
	var doc any
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, nil, &Error{File: name, Problems: []Problem{syntaxProblem(err)}}
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
					warns = append(warns, locate(file, loc, "unknown key, ignored"))
				}
				continue
			}
			errs = append(errs, locate(file, leaf.InstanceLocation, describe(leaf.ErrorKind)))
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

// locate turns a JSON instance location into a key path and its line.
func locate(file *ast.File, loc []string, msg string) Problem {
	var key, ypath strings.Builder
	ypath.WriteString("$")
	for _, seg := range loc {
		if _, err := strconv.Atoi(seg); err == nil {
			fmt.Fprintf(&key, "[%s]", seg)
			fmt.Fprintf(&ypath, "[%s]", seg)
			continue
		}
		if key.Len() > 0 {
			key.WriteByte('.')
		}
		key.WriteString(seg)
		fmt.Fprintf(&ypath, ".'%s'", strings.ReplaceAll(seg, "'", "''"))
	}
	p := Problem{Key: key.String(), Msg: msg}
	if path, err := yaml.PathString(ypath.String()); err == nil {
		if node, err := path.FilterFile(file); err == nil && node != nil && node.GetToken() != nil {
			p.Line, p.Column = node.GetToken().Position.Line, node.GetToken().Position.Column
		}
	}
	return p
}

func syntaxProblem(err error) Problem {
	p := Problem{Msg: "not valid YAML"}
	msg := err.Error()
	// goccy's error text starts with "[line:column] message".
	if strings.HasPrefix(msg, "[") {
		if end := strings.Index(msg, "]"); end > 0 {
			if l, c, ok := strings.Cut(msg[1:end], ":"); ok {
				p.Line, _ = strconv.Atoi(l)
				p.Column, _ = strconv.Atoi(c)
			}
			rest := strings.TrimSpace(msg[end+1:])
			if nl := strings.IndexByte(rest, '\n'); nl > 0 {
				rest = rest[:nl]
			}
			p.Msg = "not valid YAML: " + rest
		}
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
