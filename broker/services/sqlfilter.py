"""Service Bus SQL filters and rule actions (spec §6.6): lexer, parser, evaluator.

Grammar (precedence low → high): OR, AND, NOT, predicates (`= <> != > >= < <=`,
`IS [NOT] NULL`, `[NOT] IN (…)`, `[NOT] LIKE p [ESCAPE c]`, `EXISTS(p)`), `+ -`,
`* / %`, unary `+ -`, primaries (constants, properties, `newid()`, `property(x)` /
`p(x)`, parentheses).

Evaluation is three-valued: `None` is *unknown*. A missing user property is
unknown; `IS NULL` is true for missing or null; a missing *system* property
(`sys.Nope`) raises `FilterError` (the rule does not match). `F AND U = F`,
`T OR U = T`, otherwise unknown; a rule matches only when the result is TRUE.

Actions: `SET name = expr` and `REMOVE name`, separated by `;`.
"""

from __future__ import annotations

import re
import uuid
from functools import lru_cache
from typing import Any

from broker.services.errors import bad_request

TOKEN_RE = re.compile(
    r"""\s*(?:
      (?P<number>\d+\.\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?|\d+[eE][+-]?\d+|\d+)
    | (?P<string>'(?:[^']|'')*')
    | (?P<delimited>\[(?:[^\]]|\]\])*\])
    | (?P<quoted>"(?:[^"]|"")*")
    | (?P<ident>[^\W\d]\w*(?:\.[^\W\d]\w*)?)
    | (?P<op><>|!=|>=|<=|[=<>+\-*/%(),;@])
    )""",
    re.VERBOSE,
)
KEYWORDS = {
    "AND",
    "OR",
    "NOT",
    "IS",
    "NULL",
    "IN",
    "LIKE",
    "ESCAPE",
    "EXISTS",
    "TRUE",
    "FALSE",
    "SET",
    "REMOVE",
}
SYSTEM = {
    "messageid": "message_id",
    "correlationid": "correlation_id",
    "sessionid": "session_id",
    "label": "subject",
    "subject": "subject",
    "to": "to",
    "replyto": "reply_to",
    "replytosessionid": "reply_to_session_id",
    "contenttype": "content_type",
    "partitionkey": "partition_key",
    "timetolive": "time_to_live",
    "scheduledenqueuetimeutc": "scheduled_enqueue_time_utc",
    "enqueuedtimeutc": "enqueued_time_utc",
    "sequencenumber": "sequence_number",
    "deliverycount": "delivery_count",
    "size": "size",
}


class FilterError(Exception):
    """Evaluation failed (e.g. a missing system property): the rule does not match."""


def tokenize(text: str) -> list[tuple[str, Any]]:
    tokens, pos = [], 0
    text = text.rstrip()
    while pos < len(text):
        m = TOKEN_RE.match(text, pos)
        if not m or m.end() == pos:
            raise bad_request(
                f"SQL filter syntax error near {text[pos : pos + 20]!r}.", "InvalidSqlFilter"
            )
        pos = m.end()
        kind = m.lastgroup
        value = m.group(kind)
        if kind == "number":
            tokens.append(("const", float(value) if any(c in value for c in ".eE") else int(value)))
        elif kind == "string":
            tokens.append(("const", value[1:-1].replace("''", "'")))
        elif kind == "delimited":
            tokens.append(("prop", ("user", value[1:-1].replace("]]", "]"))))
        elif kind == "quoted":
            tokens.append(("prop", ("user", value[1:-1].replace('""', '"'))))
        elif kind == "ident" and value.upper() in KEYWORDS:
            tokens.append(("kw", value.upper()))
        elif kind == "ident":
            scope, _, name = value.rpartition(".")
            tokens.append(("ident", (scope.lower() or "user", name)))
        else:
            tokens.append(("op", value))
    tokens.append(("end", None))
    return tokens


class Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = tokenize(text)
        self.pos = 0

    def peek(self, kind: str, value: Any = None) -> bool:
        tk, tv = self.tokens[self.pos]
        return tk == kind and (value is None or tv == value)

    def take(self, kind: str, value: Any = None) -> Any:
        if not self.peek(kind, value):
            got = self.tokens[self.pos][1]
            raise bad_request(
                f"SQL syntax error: expected {value or kind}, got {got!r} in {self.text!r}.",
                "InvalidSqlFilter",
            )
        self.pos += 1
        return self.tokens[self.pos - 1][1]

    def accept(self, kind: str, value: Any = None) -> bool:
        if self.peek(kind, value):
            self.pos += 1
            return True
        return False

    def done(self) -> None:
        self.take("end")

    def predicate(self):
        left = self.conjunction()
        while self.accept("kw", "OR"):
            left = ("or", left, self.conjunction())
        return left

    def conjunction(self):
        left = self.negation()
        while self.accept("kw", "AND"):
            left = ("and", left, self.negation())
        return left

    def negation(self):
        if self.accept("kw", "NOT"):
            return ("not", self.negation())
        return self.comparison()

    def comparison(self):
        if self.accept("kw", "EXISTS"):
            self.take("op", "(")
            prop = self.property_ref()
            self.take("op", ")")
            return ("exists", prop)
        left = self.additive()
        for op in ("=", "<>", "!=", ">=", "<=", ">", "<"):
            if self.accept("op", op):
                return ("cmp", "<>" if op == "!=" else op, left, self.additive())
        if self.accept("kw", "IS"):
            negated = self.accept("kw", "NOT")
            self.take("kw", "NULL")
            return ("isnull", left, negated)
        negated = self.accept("kw", "NOT")
        if self.accept("kw", "IN"):
            return ("in", left, self.value_list(), negated)
        if self.accept("kw", "LIKE"):
            pattern = self.additive()
            escape = self.additive() if self.accept("kw", "ESCAPE") else None
            return ("like", left, pattern, escape, negated)
        if negated:
            self.take("kw", "IN")
        return left

    def value_list(self):
        self.take("op", "(")
        items = [self.additive()]
        while self.accept("op", ","):
            items.append(self.additive())
        self.take("op", ")")
        return items

    def additive(self):
        left = self.multiplicative()
        while self.peek("op", "+") or self.peek("op", "-"):
            left = ("arith", self.take("op"), left, self.multiplicative())
        return left

    def multiplicative(self):
        left = self.unary()
        while self.peek("op", "*") or self.peek("op", "/") or self.peek("op", "%"):
            left = ("arith", self.take("op"), left, self.unary())
        return left

    def unary(self):
        if self.accept("op", "-"):
            return ("neg", self.unary())
        self.accept("op", "+")
        return self.primary()

    def property_ref(self):
        if self.peek("prop"):
            return self.take("prop")
        return self.take("ident")

    def primary(self):
        if self.peek("const"):
            return ("const", self.take("const"))
        if self.accept("kw", "TRUE"):
            return ("const", True)
        if self.accept("kw", "FALSE"):
            return ("const", False)
        if self.accept("kw", "NULL"):
            return ("const", None)
        if self.accept("op", "@"):
            return ("param", self.take("ident")[1])
        if self.accept("op", "("):
            inner = self.predicate()
            self.take("op", ")")
            return inner
        if self.peek("prop"):
            return ("prop", self.take("prop"))
        scope, name = self.take("ident")
        if self.accept("op", "("):
            return self.function(name.lower())
        return ("prop", (scope, name))

    def function(self, name: str):
        if name == "newid":
            self.take("op", ")")
            return ("newid",)
        if name in ("property", "p"):
            arg = self.additive()
            self.take("op", ")")
            return ("dynprop", arg)
        raise bad_request(f"Unknown SQL function '{name}()'.", "InvalidSqlFilter")


@lru_cache(maxsize=2048)
def parse(text: str):
    if not isinstance(text, str) or not text.strip():
        raise bad_request("A SQL filter cannot be empty.", "InvalidSqlFilter")
    if len(text) > 1024:
        raise bad_request("A SQL filter is limited to 1,024 characters.", "InvalidSqlFilter")
    parser = Parser(text)
    tree = parser.predicate()
    parser.done()
    return tree


@lru_cache(maxsize=1024)
def parse_action(text: str) -> list:
    parser = Parser(text)
    steps = []
    while not parser.peek("end"):
        if parser.accept("kw", "SET"):
            target = parser.property_ref()
            parser.take("op", "=")
            steps.append(("set", target, parser.additive()))
        elif parser.accept("kw", "REMOVE"):
            steps.append(("remove", parser.property_ref()))
        else:
            parser.take("kw", "SET")
        if not parser.accept("op", ";"):
            break
    parser.done()
    if len(steps) > 32:
        raise bad_request("A rule action is limited to 32 expressions.", "InvalidSqlAction")
    return steps


# --- evaluation -------------------------------------------------------------------

_MISSING = object()


def _lookup(view: dict, ref: tuple[str, str]) -> Any:
    scope, name = ref
    if scope == "sys":
        key = SYSTEM.get(name.lower())
        if key is None:
            raise FilterError(f"Unknown system property 'sys.{name}'.")
        return view["sys"].get(key)
    props = view["user"]
    if name in props:
        return props[name]
    lowered = {k.lower(): v for k, v in props.items()}
    return lowered.get(name.lower(), _MISSING)


def _number(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)


def _compare(op: str, a: Any, b: Any) -> bool | None:
    if a is None or b is None:
        return None
    if _number(a) and _number(b):
        pass
    elif type(a) is not type(b):
        return None
    ops = {"=": a == b, "<>": a != b}
    if op in ops:
        return ops[op]
    if isinstance(a, bool):
        return None
    return {">": a > b, ">=": a >= b, "<": a < b, "<=": a <= b}[op]


def _like(value: Any, pattern: Any, escape: Any) -> bool | None:
    if value is None or pattern is None:
        return None
    if not isinstance(value, str) or not isinstance(pattern, str):
        return None
    out, i = [], 0
    while i < len(pattern):
        c = pattern[i]
        if escape and c == escape and i + 1 < len(pattern):
            out.append(re.escape(pattern[i + 1]))
            i += 2
            continue
        out.append(".*" if c == "%" else "." if c == "_" else re.escape(c))
        i += 1
    return re.fullmatch("".join(out), value, re.DOTALL) is not None


def _arith(op: str, a: Any, b: Any) -> Any:
    if a is None or b is None:
        return None
    if op == "+" and isinstance(a, str) and isinstance(b, str):
        return a + b
    if not (_number(a) and _number(b)):
        return None
    if op in "/%" and b == 0:
        raise FilterError("Division by zero.")
    if op == "/":
        return a // b if isinstance(a, int) and isinstance(b, int) else a / b
    if op == "%":
        return a % b
    return {"+": a + b, "-": a - b, "*": a * b}[op]


def _and(a, b):
    if a is False or b is False:
        return False
    return True if a is True and b is True else None


def _or(a, b):
    if a is True or b is True:
        return True
    return False if a is False and b is False else None


def _not(a):
    return None if a is None else not a


def evaluate(node, view: dict) -> Any:
    kind = node[0]
    if kind == "const":
        return node[1]
    if kind == "prop":
        value = _lookup(view, node[1])
        return None if value is _MISSING else value
    if kind == "param":
        return view.get("params", {}).get(node[1])
    if kind == "dynprop":
        value = _lookup(view, ("user", str(evaluate(node[1], view))))
        return None if value is _MISSING else value
    if kind == "newid":
        return str(uuid.uuid4())
    if kind == "and":
        return _and(evaluate(node[1], view), evaluate(node[2], view))
    if kind == "or":
        return _or(evaluate(node[1], view), evaluate(node[2], view))
    if kind == "not":
        return _not(evaluate(node[1], view))
    if kind == "cmp":
        return _compare(node[1], evaluate(node[2], view), evaluate(node[3], view))
    if kind == "isnull":
        is_null = evaluate(node[1], view) is None
        return not is_null if node[2] else is_null
    if kind == "exists":
        return (
            _lookup(view, node[1]) not in (_MISSING, None)
            if node[1][0] == "sys"
            else _lookup(view, node[1]) is not _MISSING
        )
    if kind == "in":
        return _in(evaluate(node[1], view), [evaluate(x, view) for x in node[2]], node[3])
    if kind == "like":
        escape = evaluate(node[3], view) if node[3] is not None else None
        result = _like(evaluate(node[1], view), evaluate(node[2], view), escape)
        return _not(result) if node[4] else result
    if kind == "arith":
        return _arith(node[1], evaluate(node[2], view), evaluate(node[3], view))
    if kind == "neg":
        value = evaluate(node[1], view)
        return -value if _number(value) else None
    raise FilterError(f"Cannot evaluate {kind}.")


def _in(value: Any, items: list, negated: bool) -> bool | None:
    if value is None:
        return None
    results = [_compare("=", value, item) for item in items]
    found = True if True in results else (None if None in results else False)
    return _not(found) if negated else found


def matches(text: str, view: dict) -> bool:
    """True only if the filter evaluates to TRUE; errors and unknown are no match."""
    try:
        return evaluate(parse(text), view) is True
    except FilterError:
        return False


def apply_action(text: str, view: dict) -> dict:
    """Run a rule action on a copy of the view; returns the new view."""
    out = {"sys": dict(view["sys"]), "user": dict(view["user"])}
    for step in parse_action(text):
        scope, name = step[1]
        if step[0] == "remove":
            (out["sys"] if scope == "sys" else out["user"]).pop(
                SYSTEM.get(name.lower(), name) if scope == "sys" else name, None
            )
            continue
        value = evaluate(step[2], out)
        if scope == "sys":
            key = SYSTEM.get(name.lower())
            if key is None:
                raise FilterError(f"Unknown system property 'sys.{name}'.")
            out["sys"][key] = value
        else:
            out["user"][name] = value
    return out
