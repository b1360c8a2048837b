package repoconfig

import (
	"encoding/json"
	"sort"
	"strconv"

	"github.com/hbollon/go-edlib"
)

// suggestKey returns the key the schema allows in the mapping at parent
// that is closest to key (at most two edits, a swap of neighbours counting
// as one: path_filter, profil, draft), or "".
func suggestKey(key string, parent []string) string {
	best, bestDist := "", 3
	for _, k := range knownKeys(parent) {
		if d := edlib.OSADamerauLevenshteinDistance(key, k); d < bestDist {
			best, bestDist = k, d
		}
	}
	return best
}

// knownKeys lists, sorted, the properties the schema allows at loc (a JSON
// instance location: keys and sequence indexes).
func knownKeys(loc []string) []string {
	var node map[string]any
	if json.Unmarshal(Schema, &node) != nil {
		return nil
	}
	for _, seg := range loc {
		props, _ := node["properties"].(map[string]any)
		if next, ok := props[seg].(map[string]any); ok {
			node = next
			continue
		}
		items, ok := node["items"].(map[string]any)
		if _, err := strconv.Atoi(seg); !ok || err != nil {
			return nil
		}
		node = items
	}
	props, _ := node["properties"].(map[string]any)
	keys := make([]string, 0, len(props))
	for k := range props {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
