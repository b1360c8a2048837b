package relay

import (
	"bytes"
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Requirement 1: the HMAC known-answer vector.
func TestReq01HMACKnownAnswer(t *testing.T) {
	t.Parallel()
	const want = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"
	assert.Equal(t, want, Sign([]byte("It's a Secret to Everybody"), []byte("Hello, World!")))
	h := http.Header{}
	h.Set(SignatureHeader, want)
	sum, ok := parseSignature(h)
	require.True(t, ok)
	assert.True(t, validSignature([]byte("It's a Secret to Everybody"), []byte("Hello, World!"), sum))
}

// Requirement 3: every signature negative is 401, the body is never
// parsed and nothing starts. The body is valid for the event except that it
// could not be parsed if the relay tried: an invalid JSON body would be a
// 400, so a 401 proves verification came first.
func TestReq03SignatureNegatives(t *testing.T) {
	t.Parallel()
	r, st := newRelay(t)
	h := r.Handler()
	good := mustJSON(t, commentEvent(11, "@bitreview review", alice(), prSpec{}))
	goodSig := Sign([]byte(testSecret), good)

	changed := bytes.Clone(good)
	changed[bytes.Index(changed, []byte("review"))] = 'R' // one byte
	var v any
	require.NoError(t, json.Unmarshal(good, &v))
	reserialised, _ := json.MarshalIndent(v, "", " ")
	require.NotEqual(t, good, reserialised)

	cases := []struct {
		name    string
		body    []byte
		headers map[string]string
	}{
		{"no header", good, map[string]string{SignatureHeader: ""}},
		{"only X-Hub-Signature-256", good, map[string]string{SignatureHeader: "", "X-Hub-Signature-256": goodSig}},
		{"sha1 prefix", good, map[string]string{SignatureHeader: "sha1=" + goodSig[len("sha256="):]}},
		{"sha1 of the right length", good, map[string]string{SignatureHeader: "sha1=" + strings.Repeat("ab", 20)}},
		{"no prefix", good, map[string]string{SignatureHeader: goodSig[len("sha256="):]}},
		{"upper-case prefix", good, map[string]string{SignatureHeader: "SHA256=" + goodSig[len("sha256="):]}},
		{"wrong secret", good, map[string]string{SignatureHeader: Sign([]byte("It's a Secret to Nobody"), good)}},
		{"empty secret", good, map[string]string{SignatureHeader: Sign(nil, good)}},
		{"body changed by one byte", changed, map[string]string{SignatureHeader: goodSig}},
		{"signature over re-serialised JSON", good, map[string]string{SignatureHeader: Sign([]byte(testSecret), reserialised)}},
		{"re-serialised body under the original signature", reserialised, map[string]string{SignatureHeader: goodSig}},
		{"non-hex digest", good, map[string]string{SignatureHeader: "sha256=" + strings.Repeat("zz", 32)}},
		{"odd-length digest", good, map[string]string{SignatureHeader: goodSig[:len(goodSig)-1]}},
		{"truncated digest", good, map[string]string{SignatureHeader: goodSig[:len(goodSig)-2]}},
		{"digest with trailing data", good, map[string]string{SignatureHeader: goodSig + "00"}},
		{"empty value", good, map[string]string{SignatureHeader: "sha256="}},
		{"invalid JSON, unsigned", []byte(`{"actor":`), map[string]string{SignatureHeader: ""}},
		{"invalid JSON, wrong secret", []byte(`{"actor":`), map[string]string{SignatureHeader: Sign([]byte("x"), []byte(`{"actor":`))}},
	}
	for _, tc := range cases {
		rec := deliver(h, EventCommentCreated, tc.body, tc.headers)
		assert.Equal(t, http.StatusUnauthorized, rec.Code, tc.name)
		assert.Contains(t, rec.Body.String(), "EUNAUTHORIZED", tc.name)
	}
	// Two signature headers, one of them right, are refused as well.
	req, _ := http.NewRequest(http.MethodPost, "/webhook", bytes.NewReader(good))
	req.Header.Set(EventKeyHeader, EventCommentCreated)
	req.Header.Add(SignatureHeader, "sha256="+strings.Repeat("0", 64))
	req.Header.Add(SignatureHeader, goodSig)
	rec := newRecorder()
	h.ServeHTTP(rec, req)
	assert.Equal(t, http.StatusUnauthorized, rec.Code)

	settle(t, r)
	assert.Empty(t, st.triggers())
	s := r.Stats()
	assert.Zero(t, s.Ignored+s.Accepted+s.Duplicates, "nothing was routed, so nothing was parsed")
	assert.Equal(t, int64(len(cases)+1), s.Rejected)
}

// Requirement 3 (static check): the digest is compared with hmac.Equal and
// with nothing else.
func TestReq03SignatureUsesHMACEqual(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob("*.go")
	require.NoError(t, err)
	fset := token.NewFileSet()
	hmacEqual := 0
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		require.NoError(t, err)
		file, err := parser.ParseFile(fset, f, src, 0)
		require.NoError(t, err)
		ast.Inspect(file, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			sel, ok := call.Fun.(*ast.SelectorExpr)
			if !ok {
				return true
			}
			pkg, _ := sel.X.(*ast.Ident)
			if pkg == nil {
				return true
			}
			switch pkg.Name + "." + sel.Sel.Name {
			case "hmac.Equal":
				hmacEqual++
				assert.Equal(t, "signature.go", f, "the comparison lives in signature.go")
			case "bytes.Equal", "bytes.Compare", "reflect.DeepEqual", "subtle.ConstantTimeCompare":
				t.Errorf("%s: %s.%s is not how signatures are compared; use hmac.Equal", fset.Position(call.Pos()), pkg.Name, sel.Sel.Name)
			}
			return true
		})
	}
	assert.Equal(t, 1, hmacEqual, "exactly one hmac.Equal, in validSignature")
}

// Requirement 4: without a secret the relay does not exist.
func TestReq04FailClosedWithoutSecret(t *testing.T) {
	t.Parallel()
	for _, secret := range [][]byte{nil, {}} {
		r, err := New(Options{Secret: secret, Starter: &starter{}})
		assert.ErrorIs(t, err, ErrNoSecret)
		assert.Nil(t, r)
	}
}
