"""`number.ToString(format, culture)`: standard (C D E F G N P R X) and custom formats.

Rules from "Standard/Custom numeric format strings" (learn.microsoft.com): up to three
`;` sections (positive; negative without sign; zero), digit placeholders `0`/`#`, a `,`
between placeholders groups while `,` right before the point (or the end) divides by
1000, `%`/`‰` multiply, `E+0` exponents, quoted and escaped literals. Values go through
`Decimal` (floats via their shortest round-trip repr) and round half away from zero,
as .NET does; a value that rounds to zero loses its minus sign (.NET Framework).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, localcontext

from workflows.expressions.errors import ExpressionError
from workflows.expressions.functions.dotnet_format.cultures import Culture, culture
from workflows.expressions.functions.dotnet_format.dates import quoted, run_length


def _to_decimal(number: int | float | Decimal) -> Decimal:
    if isinstance(number, bool) or not isinstance(number, int | float | Decimal):
        kind = {bool: "Boolean", str: "String", list: "Array", dict: "Object"}.get(
            type(number), "Null" if number is None else type(number).__name__
        )
        raise ExpressionError(
            "The template language function 'formatNumber' expects its first parameter to be "
            f"an integer or a decimal number. The provided value is of type '{kind}'."
        )
    if isinstance(number, float):
        if number != number or number in (float("inf"), float("-inf")):
            raise ExpressionError("formatNumber cannot format NaN or infinity")
        return Decimal(repr(number))
    return Decimal(number)


def _round(value: Decimal, places: int) -> Decimal:
    with localcontext() as ctx:
        ctx.prec = 1000
        return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def _fixed_parts(value: Decimal, places: int) -> tuple[str, str]:
    """Integer and fraction digits of |value| rounded to `places` decimals."""
    text = f"{abs(_round(value, places)):f}"
    whole, _, frac = text.partition(".")
    return whole, frac.ljust(places, "0")[:places] if places else ""


def _group(digits: str, sep: str) -> str:
    head = len(digits) % 3 or 3
    parts = [digits[:head]] + [digits[i : i + 3] for i in range(head, len(digits), 3)]
    return sep.join(parts)


_STANDARD_NUMERIC = re.compile(r"^([A-Za-z])(\d{0,9})$")
MAX_PRECISION = 99  # .NET Framework's limit; it also keeps 'F999999999' from eating memory


def format_number(number: int | float | Decimal, fmt: str | None, c: Culture | None = None) -> str:
    """`number.ToString(fmt, culture)` for standard (C D E F G N P R X) and custom formats."""
    c = c or culture(None)
    if not isinstance(fmt, str | type(None)):
        raise ExpressionError(
            "The template language function 'formatNumber' expects its second parameter to be "
            "a format string"
        )
    value = _to_decimal(number)
    is_int = isinstance(number, int) or (
        isinstance(number, Decimal) and value == value.to_integral()
    )
    match = _STANDARD_NUMERIC.match(fmt or "G")
    if match:
        spec, digits = match[1], match[2]
        precision = int(digits) if digits else None
        if precision is not None and precision > MAX_PRECISION:
            raise ExpressionError(
                f"The precision of the number format '{fmt}' is above {MAX_PRECISION}"
            )
        return _format_standard(value, is_int, spec, precision, c)
    if isinstance(number, float):  # .NET rounds doubles to 15 digits before custom formats
        value = _significant(value, 15)
    return _format_custom_number(value, fmt or "", c)


@dataclass(frozen=True)
class _Spec:
    """One standard numeric format: its letter (case kept) and optional precision."""

    letter: str
    precision: int | None

    def digits(self, default: int) -> int:
        return default if self.precision is None else self.precision


def _fixed_body(value: Decimal, places: int, c: Culture, grouped: bool) -> tuple[str, bool]:
    """The unsigned fixed-point text and whether the rounded value is negative."""
    whole, frac = _fixed_parts(value, places)
    body = (_group(whole, c.group) if grouped else whole) + (c.decimal + frac if frac else "")
    return body, value < 0 and _round(value, places) != 0


def _currency(value: Decimal, spec: _Spec, is_int: bool, c: Culture) -> str:
    body, negative = _fixed_body(value, spec.digits(c.currency_digits), c, True)
    return (c.currency_neg if negative else c.currency_pos).format(s=c.currency, n=body)


def _decimal(value: Decimal, spec: _Spec, is_int: bool, c: Culture) -> str:
    digits = str(abs(int(value))).rjust(spec.precision or 0, "0")
    return ("-" if value < 0 else "") + digits


def _exponential(value: Decimal, spec: _Spec, is_int: bool, c: Culture) -> str:
    return _format_exponential(value, spec.digits(6), spec.letter, 3, c)


def _fixed(value: Decimal, spec: _Spec, is_int: bool, c: Culture) -> str:
    body, negative = _fixed_body(value, spec.digits(2), c, spec.letter in "Nn")
    return ("-" if negative else "") + body


def _percent(value: Decimal, spec: _Spec, is_int: bool, c: Culture) -> str:
    body, negative = _fixed_body(value * 100, spec.digits(2), c, True)
    return (c.percent_neg if negative else c.percent_pos).format(n=body)


def _general(value: Decimal, spec: _Spec, is_int: bool, c: Culture) -> str:
    precision = spec.precision if spec.letter in "Gg" else None
    return _format_general(value, is_int, precision, spec.letter, c)


def _hex(value: Decimal, spec: _Spec, is_int: bool, c: Culture) -> str:
    return _format_hex(int(value), spec.letter, spec.precision or 0)


_STANDARD = {
    "C": _currency,
    "D": _decimal,
    "E": _exponential,
    "F": _fixed,
    "N": _fixed,
    "P": _percent,
    "G": _general,
    "R": _general,
    "X": _hex,
}


def _format_standard(
    value: Decimal, is_int: bool, letter: str, precision: int | None, c: Culture
) -> str:
    formatter = _STANDARD.get(letter.upper())
    if formatter is None:
        raise ExpressionError(
            f"The number format '{letter}{precision if precision is not None else ''}' is not a "
            "valid .NET standard format (C, D, E, F, G, N, P, R, X) or custom format"
        )
    if letter.upper() in "DX" and not is_int:
        raise ExpressionError(f"The format '{letter}' can only be used with integers")
    return formatter(value, _Spec(letter, precision), is_int, c)


def _format_hex(value: int, spec: str, width: int) -> str:
    if value < 0:  # JSON integers are Int64 in Logic Apps (Newtonsoft): 64-bit two's complement
        value += 1 << 64
    text = f"{value:x}" if spec == "x" else f"{value:X}"
    return text.rjust(width, "0")


def _significant(value: Decimal, digits: int) -> Decimal:
    """`value` rounded to `digits` significant digits, half away from zero."""
    if value == 0:
        return Decimal(0)
    return _round(value, digits - 1 - value.adjusted())


def _format_exponential(value: Decimal, places: int, spec: str, min_exp: int, c: Culture) -> str:
    rounded = _significant(value, places + 1)
    exponent = rounded.adjusted() if rounded != 0 else 0
    mantissa = rounded.scaleb(-exponent)
    whole, frac = _fixed_parts(mantissa, places)
    sign = "-" if value < 0 else ""
    exp_sign = "-" if exponent < 0 else "+"
    letter = "e" if spec.islower() else "E"
    body = whole + (c.decimal + frac if frac else "")
    return f"{sign}{body}{letter}{exp_sign}{abs(exponent):0{min_exp}d}"


def _format_general(
    value: Decimal, is_int: bool, precision: int | None, spec: str, c: Culture
) -> str:
    if precision is None or precision == 0:
        if is_int:
            return str(int(value))
        precision, rounded = 15, value  # shortest round-trip digits, switch at 1E+15
    else:
        rounded = _significant(value, precision)
    if rounded == 0:
        return "0"
    exponent = rounded.adjusted()
    if exponent >= precision or exponent < -4:
        digits = rounded.normalize()
        mantissa = digits.scaleb(-exponent)
        body = f"{abs(mantissa):f}".replace(".", c.decimal)
        letter = "e" if spec.islower() else "E"
        sign = "-" if value < 0 else ""
        return f"{sign}{body}{letter}{'-' if exponent < 0 else '+'}{abs(exponent):02d}"
    text = f"{rounded.normalize():f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text.replace(".", c.decimal)


# ------------------------------------------------------------- custom numeric formats


def _split_sections(fmt: str) -> list[str]:
    sections, current, i = [], [], 0
    while i < len(fmt):
        ch = fmt[i]
        if ch == "\\" and i + 1 < len(fmt):
            current.append(fmt[i : i + 2])
            i += 2
            continue
        if ch in "'\"":
            end = fmt.find(ch, i + 1)
            end = len(fmt) - 1 if end < 0 else end
            current.append(fmt[i : end + 1])
            i = end + 1
            continue
        if ch == ";":
            sections.append("".join(current))
            current = []
        else:
            current.append(ch)
        i += 1
    sections.append("".join(current))
    return sections[:3]


@dataclass
class _Pattern:
    """A custom numeric section, tokenised: items are ('digit', '0'|'#'), ('point',),
    ('lit', text), ('exp', letter, sign, min_digits)."""

    items: list[tuple]
    int_placeholders: int = 0
    min_int: int = 0
    frac_placeholders: int = 0
    min_frac: int = 0
    grouping: bool = False
    scale: int = 0  # powers of 1000 to divide by (thousands scaling commas)
    multiply: int = 0  # powers of ten from % and ‰
    exponent: tuple[str, str, int] | None = None  # (E or e, sign, minimum digits)


class _Tokeniser:
    """Reads one custom numeric section into a `_Pattern` (one method per kind of char)."""

    def __init__(self, section: str) -> None:
        self.section = section
        self.pat = _Pattern(items=[])
        self.seen_point = False
        self.pending_commas = 0
        self.first_zero: int | None = None

    def run(self) -> _Pattern:
        i = 0
        while i < len(self.section):
            i = self.step(i)
        if not self.seen_point:
            self.pat.scale += self.pending_commas
        zero = self.first_zero
        self.pat.min_int = self.pat.int_placeholders - zero if zero is not None else 0
        return self.pat

    def step(self, i: int) -> int:
        ch = self.section[i]
        if ch in "0#":
            self.digit(ch)
        elif ch == "." and not self.seen_point and self.pat.exponent is None:
            self.point()
        elif ch == ",":
            self.pending_commas += 0 if self.seen_point else 1  # ignored after the point
        elif ch in "Ee" and self.starts_exponent(i):
            return self.exponent(i)
        else:
            return self.literal(i)
        return i + 1

    def digit(self, ch: str) -> None:
        pat = self.pat
        if self.seen_point:
            pat.frac_placeholders += 1
            if ch == "0":
                pat.min_frac = pat.frac_placeholders
        else:
            pat.grouping = pat.grouping or bool(self.pending_commas and pat.int_placeholders)
            self.pending_commas = 0
            if ch == "0" and self.first_zero is None:
                self.first_zero = pat.int_placeholders
            pat.int_placeholders += 1
        pat.items.append(("digit", ch))

    def point(self) -> None:
        self.seen_point = True
        self.pat.scale += self.pending_commas
        self.pending_commas = 0
        self.pat.items.append(("point",))

    def starts_exponent(self, i: int) -> bool:
        after = self.section[i + 1 : i + 3]
        return after[:1] == "0" or (after[:1] in ("+", "-") and after[1:2] == "0")

    def exponent(self, i: int) -> int:
        j = i + 1
        sign = self.section[j] if self.section[j] in "+-" else ""
        j += len(sign)
        width = run_length(self.section, j)
        self.pat.exponent = (self.section[i], sign, width)
        self.pat.items.append(("exp",))
        return j + width

    def literal(self, i: int) -> int:
        ch = self.section[i]
        if ch in "'\"":
            text, end = quoted(self.section, i)
            self.pat.items.append(("lit", text))
            return end
        if ch == "\\":
            self.pat.items.append(("lit", self.section[i + 1 : i + 2]))
            return i + 2
        if ch in "%‰":
            self.pat.multiply += 2 if ch == "%" else 3
        self.pat.items.append(("lit", ch))
        return i + 1


def _format_custom_number(value: Decimal, fmt: str, c: Culture) -> str:
    sections = _split_sections(fmt)
    section, negative_prefix = sections[0], value < 0
    if value < 0 and len(sections) >= 2 and sections[1]:
        section, negative_prefix = sections[1], False
    pat = _Tokeniser(section).run()
    scaled = abs(value).scaleb(pat.multiply - 3 * pat.scale)
    if pat.exponent is not None:
        text, is_zero = _render_scientific(scaled, pat, c)
    else:
        text, is_zero = _render_fixed(scaled, pat, c)
    if is_zero and len(sections) >= 3 and sections[2]:
        return _format_custom_number(Decimal(0), sections[2], c)
    return ("-" if negative_prefix and not is_zero else "") + text


def _render_fixed(value: Decimal, pat: _Pattern, c: Culture) -> tuple[str, bool]:
    whole, frac = _fixed_parts(value, pat.frac_placeholders)
    is_zero = not whole.strip("0") and not frac.strip("0")
    whole = whole.lstrip("0").rjust(pat.min_int, "0")
    frac = frac.rstrip("0").ljust(pat.min_frac, "0")
    return _emit(pat, whole, frac, c, None), is_zero


def _render_scientific(value: Decimal, pat: _Pattern, c: Culture) -> tuple[str, bool]:
    assert pat.exponent is not None
    int_digits = max(pat.int_placeholders, 1)
    exponent = value.adjusted() - (int_digits - 1) if value != 0 else 0
    mantissa = value.scaleb(-exponent)
    whole, frac = _fixed_parts(mantissa, pat.frac_placeholders)
    if len(whole) > int_digits:  # rounding carried into a new digit
        exponent += 1
        whole, frac = _fixed_parts(value.scaleb(-exponent), pat.frac_placeholders)
    is_zero = not whole.strip("0") and not frac.strip("0")
    whole = whole.lstrip("0").rjust(pat.min_int, "0")
    frac = frac.rstrip("0").ljust(pat.min_frac, "0")
    letter, sign, width = pat.exponent
    exp_sign = "-" if exponent < 0 else ("+" if sign == "+" else "")
    return _emit(pat, whole, frac, c, f"{letter}{exp_sign}{abs(exponent):0{width}d}"), is_zero


def _emit(pat: _Pattern, whole: str, frac: str, c: Culture, exp_text: str | None) -> str:
    out: list[str] = []
    int_seen, frac_index, seen_point = 0, 0, False
    extra = max(len(whole) - pat.int_placeholders, 0)
    padded = whole.rjust(pat.int_placeholders, "\0")  # \0 = no digit for this '#'
    pos = 0
    for item in pat.items:
        kind = item[0]
        if kind == "digit" and not seen_point:
            take = 1 + (extra if int_seen == 0 else 0)
            for digit in padded[pos : pos + take]:
                if digit != "\0":
                    out.append(digit)
                    remaining = len(padded) - pos - 1
                    if pat.grouping and remaining > 0 and remaining % 3 == 0:
                        out.append(c.group)
                pos += 1
            int_seen += 1
        elif kind == "digit":
            if frac_index < len(frac):
                out.append(frac[frac_index])
            frac_index += 1
        elif kind == "point":
            seen_point = True
            if pat.int_placeholders == 0:
                out.append(whole)
            out.append(c.decimal if frac else "")
        elif kind == "exp":
            out.append(exp_text or "")
        else:
            out.append(item[1])
    return "".join(out)
