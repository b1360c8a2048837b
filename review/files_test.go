package review

import (
	"context"
	"errors"
	"io/fs"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// chainSource is a FileSource over a map; errs answers a path with an error.
type chainSource struct {
	files map[string]string
	errs  map[string]error
	asked []string
}

func (m *chainSource) ReadFile(_ context.Context, path string) ([]byte, error) {
	m.asked = append(m.asked, path)
	if err, ok := m.errs[path]; ok {
		return nil, err
	}
	if c, ok := m.files[path]; ok {
		return []byte(c), nil
	}
	return nil, fs.ErrNotExist
}

var errRefused = errors.New("refused: a symlink")

// FirstOf reads from the first source that answers; a refusal ends the
// search (the path is known not to be a file to read), any other failure
// asks the next source.
func TestFirstOf(t *testing.T) {
	t.Parallel()
	final := func(err error) bool { return errors.Is(err, errRefused) }
	for _, tc := range []struct {
		name       string
		path       string
		want       string
		wantErr    error
		askedOther bool
	}{
		{name: "the first has it", path: "a.go", want: "clone a"},
		{name: "the first lacks the commit", path: "b.go", want: "api b", askedOther: true},
		{name: "the first refuses", path: "link.go", wantErr: errRefused},
		{name: "nobody has it", path: "none.go", wantErr: fs.ErrNotExist, askedOther: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			clone := &chainSource{files: map[string]string{"a.go": "clone a"}, errs: map[string]error{"b.go": errors.New("no commit"), "link.go": errRefused, "none.go": errors.New("no commit")}}
			api := &chainSource{files: map[string]string{"a.go": "api a", "b.go": "api b", "link.go": "api link"}}
			data, err := FirstOf(final, clone, api).ReadFile(t.Context(), tc.path)
			if tc.wantErr != nil {
				require.ErrorIs(t, err, tc.wantErr)
				assert.Empty(t, data)
			} else {
				require.NoError(t, err)
				assert.Equal(t, tc.want, string(data))
			}
			assert.Equal(t, tc.askedOther, len(api.asked) > 0)
		})
	}
	_, err := FirstOf(final).ReadFile(t.Context(), "a.go")
	assert.Error(t, err, "no source")
}
