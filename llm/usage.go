package llm

import "github.com/tmc/langchaingo/llms"

// usageKeys names the GenerationInfo keys holding token counts; each
// group's keys are summed (Anthropic reports cache tokens apart from
// input_tokens, and all of them are prompt tokens).
type usageKeys struct {
	prompt, completion []string
}

// readUsage reads token counts from a response. Providers copy the same
// usage into every choice (OpenAI) or every content block (Anthropic), so
// each key is read as its maximum over the choices, never summed across
// them.
func readUsage(resp *llms.ContentResponse, keys usageKeys) (prompt, completion int) {
	return sumKeys(resp, keys.prompt), sumKeys(resp, keys.completion)
}

func sumKeys(resp *llms.ContentResponse, keys []string) int {
	total := 0
	for _, k := range keys {
		best := 0
		for _, c := range resp.Choices {
			if c == nil {
				continue
			}
			if n := toInt(c.GenerationInfo[k]); n > best {
				best = n
			}
		}
		total += best
	}
	return total
}

func toInt(v any) int {
	switch n := v.(type) {
	case int:
		return n
	case int32:
		return int(n)
	case int64:
		return int(n)
	case float64:
		return int(n)
	case float32:
		return int(n)
	}
	return 0
}
