package review

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// Price is what a model costs in US dollars per million tokens.
type Price struct {
	Input, Output float64
}

// Prices maps model names to prices. Lookup matches the longest known
// prefix, so dated or suffixed names ("claude-sonnet-4-5-20250929",
// "gpt-4.1-mini-2025-04-14") find their family.
type Prices map[string]Price

// DefaultPrices are list prices the providers published (USD per 1M
// tokens, without caching or batch discounts). Prices change: users
// override or extend them with LLM_PRICES, and the summary calls the
// figure an estimate.
func DefaultPrices() Prices {
	return Prices{
		"gpt-4.1":           {2, 8},
		"gpt-4.1-mini":      {0.4, 1.6},
		"gpt-4.1-nano":      {0.1, 0.4},
		"gpt-4o":            {2.5, 10},
		"gpt-4o-mini":       {0.15, 0.6},
		"gpt-5":             {1.25, 10},
		"gpt-5-mini":        {0.25, 2},
		"o4-mini":           {1.1, 4.4},
		"claude-sonnet-4":   {3, 15},
		"claude-opus-4":     {15, 75},
		"claude-opus-4-5":   {5, 25},
		"claude-haiku-4":    {1, 5},
		"claude-3-5-haiku":  {0.8, 4},
		"claude-3-7-sonnet": {3, 15},
		"gemini-2.5-pro":    {1.25, 10},
		"gemini-2.5-flash":  {0.3, 2.5},
		"mistral-large":     {2, 6},
		"codestral":         {0.3, 0.9},
	}
}

// ParsePrices reads "model=input/output,model2=input/output" (USD per 1M
// tokens) on top of the defaults.
func ParsePrices(spec string) (Prices, error) {
	p := DefaultPrices()
	for _, item := range strings.Split(spec, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		model, val, ok := strings.Cut(item, "=")
		in, out, ok2 := strings.Cut(val, "/")
		if !ok || !ok2 || strings.TrimSpace(model) == "" {
			return nil, fmt.Errorf("price %q: want model=input/output in USD per million tokens", item)
		}
		i, err1 := strconv.ParseFloat(strings.TrimSpace(in), 64)
		o, err2 := strconv.ParseFloat(strings.TrimSpace(out), 64)
		if err1 != nil || err2 != nil || i < 0 || o < 0 {
			return nil, fmt.Errorf("price %q: prices must be non-negative numbers", item)
		}
		p[strings.TrimSpace(model)] = Price{i, o}
	}
	return p, nil
}

// Lookup finds the price of model by its longest known prefix. Provider
// prefixes such as "global.anthropic." or "openai/" are ignored.
func (p Prices) Lookup(model string) (Price, bool) {
	m := model
	if i := strings.LastIndexAny(m, "/"); i >= 0 {
		m = m[i+1:]
	}
	if i := strings.Index(m, "claude-"); i > 0 {
		m = m[i:]
	}
	keys := make([]string, 0, len(p))
	for k := range p {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return len(keys[i]) > len(keys[j]) })
	for _, k := range keys {
		if strings.HasPrefix(m, k) {
			return p[k], true
		}
	}
	return Price{}, false
}

// Cost estimates the dollars spent for usage per model; ok is false when
// a model has no known price (then the total counts only priced models).
func (p Prices) Cost(byModel map[string]Usage) (usd float64, ok bool) {
	ok = true
	for model, u := range byModel {
		pr, found := p.Lookup(model)
		if !found {
			ok = false
			continue
		}
		usd += float64(u.PromptTokens)/1e6*pr.Input + float64(u.CompletionTokens)/1e6*pr.Output
	}
	return usd, ok
}
