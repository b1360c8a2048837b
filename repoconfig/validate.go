package repoconfig

import "errors"

// Check is one line of a file's validation; Fatal ones fail the file.
type Check struct {
	Fatal bool
	Text  string
}

// Validate checks a config file as `bitreview config validate` does, for
// editors and pre-commit hooks. It is stricter than a run, which ignores
// an unknown key with a warning: here an unknown key fails the file. Each
// check's text starts with name; no check means the file is valid.
func Validate(name string, data []byte) []Check {
	_, warns, err := Parse(name, data)
	var out []Check
	for _, w := range warns {
		if !w.UnknownKey {
			out = append(out, Check{Text: name + ": " + w.String()})
			continue
		}
		w.Msg = "unknown key"
		if w.Suggest != "" {
			w.Msg += " (did you mean " + w.Suggest + "?)"
		}
		out = append(out, Check{Fatal: true, Text: name + ": " + w.String()})
	}
	var ce *Error
	switch {
	case errors.As(err, &ce):
		for _, p := range ce.Problems {
			out = append(out, Check{Fatal: true, Text: name + ": " + p.String()})
		}
	case err != nil:
		out = append(out, Check{Fatal: true, Text: name + ": " + err.Error()})
	}
	return out
}
