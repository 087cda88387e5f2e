"""The `sluice` console script: Django's management commands under one name.

`sluice up`, `sluice run FILE`, `sluice validate FILE…` and the rest are ordinary
management commands living in the app they belong to.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    from django.core.management import execute_from_command_line

    args = list(sys.argv if argv is None else argv)
    args[0] = "sluice"
    if len(args) == 1:
        args.append("help")
    execute_from_command_line(args)
