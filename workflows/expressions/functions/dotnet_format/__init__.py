""".NET format strings for dates, time spans and numbers, as Logic Apps applies them.

Logic Apps is a .NET service: `formatDateTime(ts, 'D')` is `DateTime.ToString("D",
culture)` and `formatNumber(n, 'C2', 'is-is')` is `n.ToString("C2", culture)`. This
module re-implements those three formatters in pure Python so workflow output matches
Azure byte for byte in the common cases. Sources of the rules:

* "Standard date and time format strings" / "Custom date and time format strings"
  (learn.microsoft.com/dotnet/standard/base-types/...), and the tokenizer of
  `System.Globalization.DateTimeFormat.FormatCustomized` (repeat counts, quoting,
  `\\` escapes, the `%` single-specifier prefix, `F` dropping a dangling `.`).
* "Standard numeric format strings" / "Custom numeric format strings" (section
  separators `;`, digit placeholders `0`/`#`, group `,` vs. scaling `,`, `%`, `‰`,
  `E+0` exponents) and "Standard/Custom TimeSpan format strings".
* Culture data (names, patterns, separators, currency) for the invariant culture and
  en-US, en-GB, de-DE, fr-FR, es-ES, ja-JP and is-IS, from .NET's CultureInfo
  (ICU data, as .NET 5+ exposes it). Deliberate deviations: spaces inside currency
  and percent patterns are ordinary spaces, and the Icelandic currency symbol is
  `kr`, because Microsoft's worked example prints `formatNumber(17.35, 'C2', 'is-is')`
  as `17,35 kr`.

Values: dates are `NetDateTime` (.NET ticks, i.e. 100 ns units since 0001-01-01, plus
the .NET `DateTimeKind`: "utc" prints `Z` for `K`, "unspecified" prints nothing).
Python's `datetime` stops at microseconds; keeping ticks preserves the 7th fractional
digit of `fffffff`. Numbers are formatted through `Decimal` (floats via their shortest
round-trip repr), rounding half away from zero like .NET.

Every malformed format or unsupported culture raises `ExpressionError`.

Layout: `cultures` (culture data), `dates` (NetDateTime and date formats),
`timespans`, `numbers`; this package re-exports their public names and registers
the WDL function `formatNumber`.
"""

from __future__ import annotations

from typing import Any

from workflows.expressions.errors import ExpressionError
from workflows.expressions.functions.dotnet_format.cultures import INVARIANT, Culture, culture
from workflows.expressions.functions.dotnet_format.dates import (
    MAX_TICKS,
    TICKS_PER_DAY,
    TICKS_PER_SECOND,
    NetDateTime,
    format_datetime,
    standard_date_pattern,
)
from workflows.expressions.functions.dotnet_format.numbers import format_number
from workflows.expressions.functions.dotnet_format.timespans import (
    format_timespan,
    format_timespan_constant,
    parse_timespan,
)
from workflows.expressions.registry import function

__all__ = [
    "INVARIANT",
    "MAX_TICKS",
    "TICKS_PER_DAY",
    "TICKS_PER_SECOND",
    "Culture",
    "NetDateTime",
    "culture",
    "format_datetime",
    "format_number",
    "format_timespan",
    "format_timespan_constant",
    "parse_timespan",
    "standard_date_pattern",
]

# ------------------------------------------------------------------ WDL entry point
# formatNumber lives here, next to the formatter; `datetime.py` imports this module,
# so importing the date family registers it.


@function(
    "formatNumber",
    "formatNumber(number: number, format: string, locale?: string)",
    min_args=2,
    max_args=3,
)
def format_number_function(number: Any, fmt: Any, locale: Any = None) -> str:
    if isinstance(fmt, bool) or not isinstance(fmt, str):
        raise ExpressionError(
            "The template language function 'formatNumber' expects its second parameter to be "
            "a format string"
        )
    return format_number(number, fmt, culture(locale))
