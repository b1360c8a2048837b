package xref_test

import (
	"fmt"
	"strings"
)

// noisy adds to files n modules of distractors in the language of ext:
// each declares the corpus's names (Save, Lookup, render, formatPrice,
// remove, send_email, get_discount, …) with other contracts, and calls
// them, the way a real repository reuses common names. The search must
// still rank the definitions and callers the change really uses first.
func noisy(files map[string]string, ext string, n int) map[string]string {
	out := map[string]string{}
	for k, v := range files {
		out[k] = v
	}
	for i := range n {
		dir := fmt.Sprintf("%s/mod%02d", []string{"internal", "lib", "pkg", "vendorless"}[i%4], i)
		switch ext {
		case ".go":
			out[dir+"/noise.go"] = goNoise(i)
		case ".ts":
			out[dir+"/noise.ts"] = tsNoise
			out[dir+"/use.ts"] = "import { parseQuantity, formatPrice, saveUser } from './noise';\n\nexport const q = parseQuantity('1') + formatPrice(2).length;\nexport const s = saveUser;\n"
		case ".py":
			out[dir+"/__init__.py"] = ""
			out[dir+"/noise.py"] = pyNoise
			out[dir+"/use.py"] = fmt.Sprintf("from %s.noise import get_discount, send_email\n\n\ndef run():\n    return get_discount(1) + len(send_email(\"a\", \"b\"))\n", strings.ReplaceAll(dir, "/", "."))
		}
	}
	return out
}

func goNoise(i int) string {
	return fmt.Sprintf(`package mod%02d

// Save saves nothing (noise %d).
func Save(db any, key, v string) error { return nil }

// Cache is another cache.
type Cache struct{}

// Lookup never misses (noise).
func (c *Cache) Lookup(key string) (string, bool) { return key, true }

// Project is another project.
type Project struct{ Owners, Members []string }

const Backoff = 3

func render(w any, p any, raw bool) error { return nil }

// ParseLimit is another parser (noise).
func ParseLimit(s string) int { return len(s) }

func use(c *Cache) int {
	_ = Save(nil, "k", "v")
	_, _ = c.Lookup("k")
	_ = render(nil, nil, true)
	return ParseLimit("x") + Backoff
}
`, i, i)
}

const tsNoise = `/** saveUser logs the user (noise). */
export function saveUser(u: unknown): void {}

/** formatPrice of the old API (noise). */
export function formatPrice(n: number): string { return String(n); }

/** parseQuantity never fails (noise). */
export function parseQuantity(s: string): number { return 1; }

export interface Order {
  items: number;
  lineItems: number;
}

export class Cart {
  /** remove by id (noise). */
  remove(id: number): void {}
}
`

const pyNoise = `def send_email(to, subject):
    """Noise: the recipient first."""
    return (to, subject)


def get_discount(code):
    """Noise: always 0."""
    return 0


def validate(order):
    """Noise: raises on error."""
    raise ValueError(order)


class Cart:
    def __init__(self):
        self.items = []  # noise: the lines
        self.lines = 0


TIMEOUT_MS = 1
`
