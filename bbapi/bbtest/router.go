package bbtest

import (
	"net/url"
	"regexp"
	"strings"
)

// template is one compiled path template such as
// /repositories/{workspace}/{repo_slug}/src/{commit}/{path}.
type template struct {
	path string
	segs []tseg
}

type segKind int

const (
	segLiteral segKind = iota // "pullrequests"
	segMixed                  // "{repo_name}-issues-{task_id}.zip"
	segParam                  // "{pull_request_id}"
	segGreedy                 // a trailing param that took several segments
)

type tseg struct {
	kind  segKind
	text  string         // literal text or param name
	re    *regexp.Regexp // segMixed
	names []string       // segMixed param names
}

var paramRE = regexp.MustCompile(`\{([^{}]+)\}`)

// greedyParams are the trailing parameters whose values may hold slashes:
// file paths, diff specs ("ws/slug:a\rb"), branch names, revisions.
var greedyParams = map[string]bool{"path": true, "spec": true, "revspec": true, "name": true, "filename": true, "revision": true}

func (t *template) greedyTail() bool {
	last := t.segs[len(t.segs)-1]
	return last.kind == segParam && greedyParams[last.text]
}

func compileTemplate(p string) *template {
	t := &template{path: p}
	for _, s := range strings.Split(strings.TrimPrefix(p, "/"), "/") {
		switch {
		case !strings.Contains(s, "{"):
			t.segs = append(t.segs, tseg{kind: segLiteral, text: s})
		case strings.HasPrefix(s, "{") && strings.HasSuffix(s, "}") && strings.Count(s, "{") == 1:
			t.segs = append(t.segs, tseg{kind: segParam, text: s[1 : len(s)-1]})
		default:
			var names []string
			var b strings.Builder
			b.WriteString("^")
			last := 0
			for _, m := range paramRE.FindAllStringSubmatchIndex(s, -1) {
				b.WriteString(regexp.QuoteMeta(s[last:m[0]]))
				b.WriteString("(.+?)")
				names = append(names, s[m[2]:m[3]])
				last = m[1]
			}
			b.WriteString(regexp.QuoteMeta(s[last:]))
			b.WriteString("$")
			t.segs = append(t.segs, tseg{kind: segMixed, re: regexp.MustCompile(b.String()), names: names})
		}
	}
	return t
}

// match matches the request's segments (still escaped) against t. It
// returns the unescaped parameters and a score vector: lower is more
// specific. A trailing parameter may take several segments (file paths in
// /src/{commit}/{path}, two-repository specs in /diff/{spec}), but only when
// no template matches segment for segment.
func (t *template) match(segs []string, greedy bool) (map[string]string, []segKind, bool) {
	n := len(t.segs)
	if n == 0 || (!greedy && len(segs) != n) || (greedy && (len(segs) <= n || !t.greedyTail())) {
		return nil, nil, false
	}
	params := make(map[string]string)
	score := make([]segKind, n)
	for i, ts := range t.segs {
		raw := segs[i]
		if greedy && i == n-1 {
			raw = strings.Join(segs[i:], "/")
		}
		val, err := url.PathUnescape(raw)
		if err != nil {
			return nil, nil, false
		}
		score[i] = ts.kind
		switch ts.kind {
		case segLiteral:
			if val != ts.text {
				return nil, nil, false
			}
		case segParam:
			if val == "" {
				return nil, nil, false
			}
			params[ts.text] = val
			if greedy && i == n-1 {
				score[i] = segGreedy
			}
		case segMixed:
			m := ts.re.FindStringSubmatch(val)
			if m == nil {
				return nil, nil, false
			}
			for j, name := range ts.names {
				params[name] = m[j+1]
			}
		}
	}
	return params, score, true
}

func lessScore(a, b []segKind) bool {
	for i := 0; i < len(a) && i < len(b); i++ {
		if a[i] != b[i] {
			return a[i] < b[i]
		}
	}
	return len(a) > len(b)
}

// matchTemplates finds the most specific template for an escaped path
// relative to /2.0 (starting with "/"). A trailing slash is ignored when
// nothing matches with it (the live API serves /pipelines/ and /pipelines).
func matchTemplates(ts []*template, escapedPath string) (*template, map[string]string) {
	t, params := matchOnce(ts, escapedPath)
	if t == nil && len(escapedPath) > 1 && strings.HasSuffix(escapedPath, "/") {
		t, params = matchOnce(ts, strings.TrimSuffix(escapedPath, "/"))
	}
	return t, params
}

func matchOnce(ts []*template, escapedPath string) (*template, map[string]string) {
	if !strings.HasPrefix(escapedPath, "/") {
		return nil, nil
	}
	segs := strings.Split(escapedPath[1:], "/")
	for _, greedy := range []bool{false, true} {
		var best *template
		var bestParams map[string]string
		var bestScore []segKind
		for _, t := range ts {
			params, score, ok := t.match(segs, greedy)
			if !ok {
				continue
			}
			if best == nil || lessScore(score, bestScore) {
				best, bestParams, bestScore = t, params, score
			}
		}
		if best != nil {
			return best, bestParams
		}
	}
	return nil, nil
}
