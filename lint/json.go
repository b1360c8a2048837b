package lint

import (
	"context"
	"encoding/json"
	"errors"
	"io"
)

// walker reads a JSON document a value at a time, so that a report of
// tens of megabytes is never held whole: encoding/json decodes each
// element of the large arrays (results, rules) on its own, and whatever
// is not needed is skipped token by token.
type walker struct {
	ctx context.Context
	dec *json.Decoder
}

func newWalker(ctx context.Context, r io.Reader) *walker {
	dec := json.NewDecoder(r)
	dec.UseNumber()
	return &walker{ctx: ctx, dec: dec}
}

// object reads an object, calling fn with each key; fn must read or skip
// the value.
func (w *walker) object(fn func(key string) error) error {
	if err := w.delim('{'); err != nil {
		return err
	}
	for w.dec.More() {
		t, err := w.dec.Token()
		if err != nil {
			return err
		}
		key, _ := t.(string)
		if err := fn(key); err != nil {
			return err
		}
	}
	_, err := w.dec.Token() // '}'
	return err
}

// array reads an array, calling fn for each element; fn must read or
// skip it. A null is an empty array.
func (w *walker) array(fn func() error) error {
	t, err := w.dec.Token()
	if err != nil {
		return err
	}
	if t == nil {
		return nil
	}
	if d, ok := t.(json.Delim); !ok || d != '[' {
		return errShape
	}
	for w.dec.More() {
		if err := w.ctx.Err(); err != nil {
			return err
		}
		if err := fn(); err != nil {
			return err
		}
	}
	_, err = w.dec.Token() // ']'
	return err
}

// decode reads one value into v. A value of the wrong type for v is
// consumed whole and reported as errShape, so the caller can skip it.
func (w *walker) decode(v any) error {
	err := w.dec.Decode(v)
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return errShape
	}
	return err
}

// skip consumes one value of any size, token by token.
func (w *walker) skip() error {
	depth := 0
	for {
		t, err := w.dec.Token()
		if err != nil {
			return err
		}
		if d, ok := t.(json.Delim); ok {
			switch d {
			case '{', '[':
				depth++
			default:
				depth--
			}
		}
		if depth == 0 {
			return nil
		}
	}
}

// delim reads the delimiter want.
func (w *walker) delim(want json.Delim) error {
	t, err := w.dec.Token()
	if err != nil {
		return err
	}
	if d, ok := t.(json.Delim); !ok || d != want {
		return errShape
	}
	return nil
}
