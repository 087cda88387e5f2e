#!/usr/bin/env python
"""Django's entry point; `sluice` wraps the same commands."""

import sys

from config.cli import main

if __name__ == "__main__":
    main(sys.argv)
