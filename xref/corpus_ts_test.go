package xref_test

// The seeded corpus, TypeScript: the repository of an online shop with
// same-named functions and fields elsewhere, to be told apart.
var tsShop = map[string]string{
	"package.json": `{"name": "shop", "private": true}` + "\n",
	"src/users/store.ts": `import { db } from '../db';

/**
 * Saves the user. Rejects when the e-mail is taken: callers must await it
 * and handle the rejection.
 */
export async function saveUser(u: User): Promise<void> {
  await db.insert('users', u);
}
`,
	"src/users/signup.ts": `import { saveUser } from './store';

export async function signup(u: User): Promise<string> {
  await saveUser(u);
  return 'welcome';
}
`,
	"src/billing/price.ts": `/**
 * Formats an amount of money. inCents: true when amount is in cents
 * (divides by 100), false when it is in units.
 */
export function formatPrice(amount: number, inCents: boolean): string {
  const v = inCents ? amount / 100 : amount;
  return v.toFixed(2);
}
`,
	"src/billing/receipt.ts": `import { formatPrice } from './price';
import { Order } from '../orders/types';

export function receiptLine(total: number): string {
  return 'Total: ' + formatPrice(total, false);
}

export function count(order: Order): number {
  return order.lineItems.length;
}
`,
	"src/orders/types.ts": `export interface LineItem {
  sku: string;
  quantity: number;
}

export interface Order {
  id: string;
  /** Deprecated: item ids of the first version, not the order's lines. */
  items: string[];
  lineItems: LineItem[];
}
`,
	"src/orders/qty.ts": `/** Parses a quantity field; returns 0 for an empty or invalid field. */
export function parseQuantity(s: string): number {
  const n = Number(s);
  return Number.isNaN(n) ? 0 : n;
}
`,
	"src/web/form.ts": `import { parseQuantity } from '../orders/qty';

export function addAll(fields: string[]): number {
  let total = 0;
  for (const f of fields) {
    total += parseQuantity(f);
  }
  return total;
}
`,
	"src/cart/cart.ts": `export class Cart {
  private lines: string[] = [];

  /** remove takes the index of a line in the cart, not an item id. */
  remove(index: number): void {
    this.lines.splice(index, 1);
  }
}
`,
	"src/cart/view.ts": `import { Cart } from './cart';

export function drop(cart: Cart, at: number, item: { id: number }): void {
  cart.remove(at);
}
`,
	"src/admin/list.ts": `export class List {
  /** remove deletes by id (DISTRACTOR). */
  remove(id: number): void {}
}
`,
	"src/legacy/price.ts": `export function formatPrice(n: number): string { return String(n); } // DISTRACTOR
`,
}

var tsCases = []seeded{
	{name: "ts: a promise no longer awaited", files: tsShop, path: "src/users/signup.ts",
		old: "await saveUser(u);", new: "saveUser(u);",
		need: "callers must await it", kind: "definition"},
	{name: "ts: flag flipped on a function of another file", files: tsShop, path: "src/billing/receipt.ts",
		old: "formatPrice(total, false)", new: "formatPrice(total, true)",
		need: "inCents: true when amount is in cents", kind: "definition"},
	{name: "ts: the wrong field of an interface", files: tsShop, path: "src/billing/receipt.ts",
		old: "order.lineItems.length", new: "order.items.length",
		need: "Deprecated: item ids of the first version", kind: "definition"},
	{name: "ts: helper's contract changed, callers rely on it", files: tsShop, path: "src/orders/qty.ts",
		old: "return Number.isNaN(n) ? 0 : n;", new: "return n;",
		need: "total += parseQuantity(f);", kind: "caller"},
	{name: "ts: a method given an id for an index", files: tsShop, path: "src/cart/view.ts",
		old: "cart.remove(at);", new: "cart.remove(item.id);",
		need: "remove takes the index of a line in the cart", kind: "definition"},
}
