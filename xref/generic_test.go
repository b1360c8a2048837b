package xref_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bitreview/bitreview/xref"
)

// langCase is one language's definition and a changed line that uses it.
type langCase struct {
	name       string
	defPath    string
	def        string // the defining file
	usePath    string
	use, edit  string // the using file, and its head version
	want       string // in the definition's snippet
	distractor string // a same-named definition far away that must lose
}

var langCases = []langCase{
	{
		name: "typescript function", defPath: "src/billing/price.ts",
		def:     "import { round } from './math';\n\n/** Formats an amount. inCents: true when amount is in cents. */\nexport function formatPrice(amount: number, inCents: boolean): string {\n  const v = inCents ? amount / 100 : amount;\n  return round(v).toFixed(2);\n}\n",
		usePath: "src/billing/cart.ts",
		use:     "import { formatPrice } from './price';\n\nexport function label(total: number): string {\n  return formatPrice(total, false);\n}\n",
		edit:    "import { formatPrice } from './price';\n\nexport function label(total: number): string {\n  return formatPrice(total, true);\n}\n",
		want:    "inCents: true when amount is in cents",
	},
	{
		name: "typescript interface field", defPath: "src/types.ts",
		def:     "export interface Order {\n  id: string;\n  /** Deprecated: item ids only. Use lineItems. */\n  items: string[];\n  lineItems: LineItem[];\n}\n",
		usePath: "src/total.ts",
		use:     "import { Order } from './types';\n\nexport function total(o: Order): number {\n  return o.lineItems.length;\n}\n",
		edit:    "import { Order } from './types';\n\nexport function total(o: Order): number {\n  return o.items.length;\n}\n",
		want:    "Deprecated: item ids only",
	},
	{
		name: "javascript class method", defPath: "lib/cart.js",
		def:     "class Cart {\n  // remove takes an index into items, not an id.\n  remove(index) {\n    this.items.splice(index, 1);\n  }\n}\nmodule.exports = { Cart };\n",
		usePath: "lib/ui.js",
		use:     "const { Cart } = require('./cart');\n\nfunction drop(cart, id) {\n  cart.clear();\n}\n",
		edit:    "const { Cart } = require('./cart');\n\nfunction drop(cart, id) {\n  cart.remove(id);\n}\n",
		want:    "remove takes an index into items",
	},
	{
		name: "python function", defPath: "app/mail.py",
		def:        "def send_email(subject, to):\n    \"\"\"Send subject to the address to. Note the order.\"\"\"\n    return (subject, to)\n",
		usePath:    "app/signup.py",
		use:        "from app.mail import send_email\n\n\ndef welcome(user):\n    pass\n",
		edit:       "from app.mail import send_email\n\n\ndef welcome(user):\n    send_email(user.email, \"Welcome\")\n",
		want:       "Note the order",
		distractor: "def send_email(to, subject):  # far away\n    return None\n",
	},
	{
		name: "python class attribute", defPath: "shop/models.py",
		def:     "class Cart:\n    def __init__(self):\n        self.entries = []  # the cart's lines\n        self.items_count = 0\n",
		usePath: "shop/views.py",
		use:     "from shop.models import Cart\n\n\ndef show(cart):\n    return len(cart.entries)\n",
		edit:    "from shop.models import Cart\n\n\ndef show(cart):\n    return cart.items_count\n",
		want:    "self.items_count = 0",
	},
	{
		name: "java method", defPath: "src/main/java/com/acme/Accounts.java",
		def:     "package com.acme;\n\npublic class Accounts {\n    /** Returns null when the account is closed. */\n    public Account find(String id) {\n        return null;\n    }\n}\n",
		usePath: "src/main/java/com/acme/web/Handler.java",
		use:     "package com.acme.web;\n\nimport com.acme.Accounts;\n\nclass Handler {\n    String name(Accounts a) {\n        return \"\";\n    }\n}\n",
		edit:    "package com.acme.web;\n\nimport com.acme.Accounts;\n\nclass Handler {\n    String name(Accounts a) {\n        return a.find(\"x\").name();\n    }\n}\n",
		want:    "Returns null when the account is closed",
	},
	{
		name: "kotlin function", defPath: "src/main/kotlin/acme/Retry.kt",
		def:     "package acme\n\n// retryDelay is in milliseconds.\nfun retryDelay(attempt: Int): Long {\n    return 100L * attempt\n}\n",
		usePath: "src/main/kotlin/acme/Client.kt",
		use:     "package acme\n\nfun call() {\n    Thread.sleep(1)\n}\n",
		edit:    "package acme\n\nfun call() {\n    Thread.sleep(retryDelay(2) * 1000)\n}\n",
		want:    "retryDelay is in milliseconds",
	},
	{
		name: "csharp method", defPath: "Shop/Inventory.cs",
		def:     "namespace Shop {\n    public class Inventory {\n        // Reserve returns false when out of stock; it never throws.\n        public bool Reserve(string sku, int n) {\n            return n > 0;\n        }\n    }\n}\n",
		usePath: "Shop/Orders.cs",
		use:     "namespace Shop {\n    public class Orders {\n        public void Place(Inventory inv) {\n        }\n    }\n}\n",
		edit:    "namespace Shop {\n    public class Orders {\n        public void Place(Inventory inv) {\n            inv.Reserve(\"a\", 1);\n        }\n    }\n}\n",
		want:    "Reserve returns false when out of stock",
	},
	{
		name: "ruby method", defPath: "lib/billing/invoice.rb",
		def:     "module Billing\n  class Invoice\n    # total_cents returns an Integer number of cents.\n    def total_cents\n      42\n    end\n  end\nend\n",
		usePath: "lib/billing/report.rb",
		use:     "require_relative 'invoice'\n\ndef line(inv)\n  ''\nend\n",
		edit:    "require_relative 'invoice'\n\ndef line(inv)\n  format('%.2f', inv.total_cents)\nend\n",
		want:    "total_cents returns an Integer number of cents",
	},
	{
		name: "php function", defPath: "src/Auth.php",
		def:     "<?php\nclass Auth {\n    // check returns the user or null; it does not throw.\n    public function check(string $token): ?User {\n        return null;\n    }\n}\n",
		usePath: "src/Controller.php",
		use:     "<?php\nclass Controller {\n    public function show($auth) {\n        return 1;\n    }\n}\n",
		edit:    "<?php\nclass Controller {\n    public function show($auth) {\n        return $auth->check($this->token)->name;\n    }\n}\n",
		want:    "check returns the user or null",
	},
	{
		name: "rust function", defPath: "src/limits.rs",
		def:     "/// Parses a limit; returns None for zero.\npub fn parse_limit(s: &str) -> Option<u32> {\n    s.parse().ok().filter(|n| *n > 0)\n}\n",
		usePath: "src/main.rs",
		use:     "mod limits;\n\nfn main() {\n    let n = 1;\n}\n",
		edit:    "mod limits;\n\nfn main() {\n    let n = limits::parse_limit(\"0\").unwrap();\n}\n",
		want:    "returns None for zero",
	},
	{
		name: "rust struct field", defPath: "src/config.rs",
		def:     "pub struct Config {\n    /// in seconds\n    pub timeout: u64,\n    pub name: String,\n}\n",
		usePath: "src/net.rs",
		use:     "use crate::config::Config;\n\nfn wait(c: &Config) -> u64 {\n    0\n}\n",
		edit:    "use crate::config::Config;\n\nfn wait(c: &Config) -> u64 {\n    c.timeout * 1000\n}\n",
		want:    "pub timeout: u64,",
	},
}

func TestWordSearchFindsDefinitionsPerLanguage(t *testing.T) {
	for _, tc := range langCases {
		t.Run(tc.name, func(t *testing.T) {
			base := map[string]string{tc.defPath: tc.def, tc.usePath: tc.use}
			if tc.distractor != "" {
				base["vendorless/far/away/other"+extOf(tc.defPath)] = tc.distractor
			}
			rel := related(t, base, map[string]string{tc.usePath: tc.edit}, xref.Limits{})
			s, i := requireSnippet(t, rel, tc.defPath, tc.want)
			assert.Equal(t, tc.usePath, s.Uses[0].Path)
			if tc.distractor != "" {
				if _, j, ok := find(rel, "vendorless/far/away/other"+extOf(tc.defPath), ""); ok {
					assert.Less(t, i, j, "the imported definition first")
				}
			}
		})
	}
}

func extOf(p string) string {
	for i := len(p) - 1; i >= 0; i-- {
		if p[i] == '.' {
			return p[i:]
		}
	}
	return ""
}

// TestWordSearchFindsCallersOfAChangedFunction: the enclosing definition
// of a changed line is found by the patterns, its uses in other files by
// the word search, the same folder first, tests last.
func TestWordSearchFindsCallersOfAChangedFunction(t *testing.T) {
	for _, tc := range []struct {
		name              string
		base              map[string]string
		path, old, new    string
		near, far, inTest string
	}{
		{
			name: "typescript",
			base: map[string]string{
				"src/qty.ts":             "export function parseQuantity(s: string): number {\n  const n = Number(s);\n  return isNaN(n) ? 0 : n;\n}\n",
				"src/cart.ts":            "import { parseQuantity } from './qty';\nexport const add = (t: number, s: string) => t + parseQuantity(s); // NEAR\n",
				"web/form.ts":            "import { parseQuantity } from '../src/qty';\nconst q = parseQuantity(input.value); // FAR\n",
				"src/__tests__/qty.ts":   "import { parseQuantity } from '../qty';\nexpect(parseQuantity('x')).toBe(0); // TEST\n",
				"src/other/unrelated.ts": "const parseQuantityX = 1;\n",
			},
			path: "src/qty.ts", old: "isNaN(n) ? 0 : n", new: "n",
			near: "src/cart.ts", far: "web/form.ts", inTest: "src/__tests__/qty.ts",
		},
		{
			name: "python",
			base: map[string]string{
				"shop/discount.py":       "def get_discount(code):\n    if code == 'X':\n        return 0.1\n    return 0\n",
				"shop/checkout.py":       "from shop.discount import get_discount\n\ndef price(p, code):\n    return p * (1 - get_discount(code))  # NEAR\n",
				"api/views.py":           "from shop.discount import get_discount\n\ndef view(code):\n    return get_discount(code)  # FAR\n",
				"tests/test_discount.py": "from shop.discount import get_discount\n\ndef test_x():\n    assert get_discount('X') == 0.1  # TEST\n",
			},
			path: "shop/discount.py", old: "    return 0\n", new: "    return None\n",
			near: "shop/checkout.py", far: "api/views.py", inTest: "tests/test_discount.py",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			head := edit(tc.base, tc.path, tc.old, tc.new)
			rel := related(t, tc.base, head, xref.Limits{})
			_, i1 := requireSnippet(t, rel, tc.near, "NEAR")
			_, i2 := requireSnippet(t, rel, tc.far, "FAR")
			_, i3 := requireSnippet(t, rel, tc.inTest, "TEST")
			assert.Less(t, i1, i2)
			assert.Less(t, i2, i3)
			for _, s := range rel.Snippets {
				require.NotEqual(t, "src/other/unrelated.ts", s.Path, "a longer name is another word")
			}
		})
	}
}
