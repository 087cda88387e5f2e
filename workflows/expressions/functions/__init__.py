"""WDL function implementations, one module per family; importing registers them.

`datetime`, `xml` (and their helpers `timezones`, `dotnet_format`) are owned by the
date/XML side of the project; the rest by the expression core.
"""

from __future__ import annotations

from workflows.expressions.functions import (  # noqa: F401
    collection,
    conversion,
    datetime,
    formdata,
    logical,
    manipulation,
    math,
    string,
    uri,
    workflow,
    xml,
)
