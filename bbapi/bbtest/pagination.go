package bbtest

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
)

// Pagination follows the document: pagelen defaults to 10 and 100 is "the
// maximum allowed value". The live API answers 400 {"message": "Invalid
// pagelen"} beyond an endpoint's maximum (reported for the pull request
// list at 50, jenkinsci/bitbucket-branch-source-plugin#1182), so the fake
// does the same rather than clamp, and records a violation: a client that
// asks for more than 100 is wrong on every endpoint.
const (
	defaultPagelen = 10
	maxPagelen     = 100
)

// page is the envelope of every list.
type page struct {
	Size     int    `json:"size"`
	Page     int    `json:"page"`
	Pagelen  int    `json:"pagelen"`
	Next     string `json:"next,omitempty"`
	Previous string `json:"previous,omitempty"`
	Values   []any  `json:"values"`
}

// paginate answers one page of items, with next and previous as absolute
// URLs that keep the request's other query parameters.
func (c *call) paginate(items []any) {
	q := c.r.URL.Query()
	pagelen, pageNo := defaultPagelen, 1
	if v := q.Get("pagelen"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > maxPagelen {
			c.violationMsg(http.StatusBadRequest, "Invalid pagelen",
				fmt.Sprintf("pagelen=%s: must be an integer from 1 to %d", v, maxPagelen))
			return
		}
		pagelen = n
	}
	if v := q.Get("page"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			c.violationMsg(http.StatusBadRequest, "Invalid page", "page="+v+": must be an integer from 1")
			return
		}
		pageNo = n
	}
	start := min((pageNo-1)*pagelen, len(items))
	end := min(start+pagelen, len(items))
	p := page{Size: len(items), Page: pageNo, Pagelen: pagelen, Values: items[start:end]}
	if p.Values == nil {
		p.Values = []any{}
	}
	link := func(n int) string {
		qq := url.Values{}
		for k, v := range q {
			qq[k] = v
		}
		qq.Set("page", strconv.Itoa(n))
		return c.base() + c.path + "?" + qq.Encode()
	}
	if end < len(items) {
		p.Next = link(pageNo + 1)
	}
	if pageNo > 1 {
		p.Previous = link(pageNo - 1)
	}
	writeJSON(c.w, http.StatusOK, p)
}
