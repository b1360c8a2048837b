package xref_test

// The seeded corpus, Python: a small Django-less shop with same-named
// functions elsewhere, to be told apart.
var pyShop = map[string]string{
	"pyproject.toml":   "[project]\nname = \"shop\"\n",
	"shop/__init__.py": "",
	"shop/settings.py": "# Timeouts, in milliseconds.\nTIMEOUT_MS = 5000\nRETRIES = 3\n",
	"shop/mail.py": `def send_email(subject, to):
    """Send a message: subject first, then the recipient's address."""
    return (subject, to)
`,
	"shop/signup.py": `import time

from shop import settings
from shop.mail import send_email


def welcome(user):
    send_email("Welcome", user.email)


def wait():
    time.sleep(settings.TIMEOUT_MS / 1000)
`,
	"shop/orders.py": `from shop.validation import validate


def place(order, db):
    problems = validate(order)
    if problems:
        return problems
    db.save(order)
    return []
`,
	"shop/validation.py": `def validate(order):
    """Return a list of problems with the order; it never raises, so the
    caller must check the list."""
    problems = []
    if not order.lines:
        problems.append("empty")
    return problems
`,
	"shop/cart.py": `class Cart:
    def __init__(self):
        self.lines = []  # the cart's lines, in order
        self.items = {}  # sku -> count, NOT the lines

    def add(self, line):
        self.lines.append(line)
`,
	"shop/receipt.py": `from shop.cart import Cart


def receipt(cart):
    out = []
    for line in cart.lines:
        out.append(str(line))
    return out
`,
	"shop/discount.py": `def get_discount(code):
    """The discount rate of a code, 0 when the code is unknown."""
    if code == "WELCOME":
        return 0.1
    return 0
`,
	"shop/checkout.py": `from shop.discount import get_discount


def total(price, code):
    return price * (1 - get_discount(code))
`,
	"legacy/mail.py": `def send_email(to, subject):  # DISTRACTOR
    return None
`,
	"tests/test_discount.py": `from shop.discount import get_discount


def test_unknown():
    assert get_discount("X") == 0
`,
}

var pyCases = []seeded{
	{name: "py: arguments in the wrong order", files: pyShop, path: "shop/signup.py",
		old: `send_email("Welcome", user.email)`, new: `send_email(user.email, "Welcome")`,
		need: "subject first, then the recipient", kind: "definition"},
	{name: "py: a result that must be checked, dropped", files: pyShop, path: "shop/orders.py",
		old: "problems = validate(order)", new: "problems = []; validate(order)",
		need: "it never raises, so the", kind: "definition"},
	{name: "py: the wrong attribute of a class", files: pyShop, path: "shop/receipt.py",
		old: "for line in cart.lines:", new: "for line in cart.items:",
		need: "sku -> count, NOT the lines", kind: "definition"},
	{name: "py: helper's contract changed, callers rely on it", files: pyShop, path: "shop/discount.py",
		old: "    return 0\n", new: "    return None\n",
		need: "return price * (1 - get_discount(code))", kind: "caller"},
	{name: "py: a constant's unit", files: pyShop, path: "shop/signup.py",
		old: "time.sleep(settings.TIMEOUT_MS / 1000)", new: "time.sleep(settings.TIMEOUT_MS)",
		need: "TIMEOUT_MS = 5000", kind: "definition"},
}
