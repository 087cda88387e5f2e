"""`sluice validate FILE…`: a verdict per file, every problem with its JSON pointer."""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from workflows.validation import Problem, find_warnings, split_document, validate_document


def load_document(path: Path) -> tuple[object, list[Problem]]:
    """Read a definition file; a read or JSON error becomes a Problem, not a traceback."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        return None, [Problem("", f"cannot read the file: {exc.strerror or exc}")]
    try:
        return json.loads(text), []
    except json.JSONDecodeError as exc:
        return None, [
            Problem("", f"invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}")
        ]


class Command(BaseCommand):
    help = (
        "Validate Logic Apps workflow definitions (a bare definition or the Standard "
        '{"definition": …, "kind": …} wrapper). Prints a verdict per file and every '
        "problem with its JSON pointer. Exit 0 when all are valid, 2 otherwise."
    )

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", metavar="FILE", help="definition JSON files")
        parser.add_argument("--json", action="store_true", help="print the verdicts as JSON")

    def handle(self, *args, **options):
        verdicts, warnings = {}, {}
        for name in options["files"]:
            document, problems = load_document(Path(name))
            if document is not None:
                problems = validate_document(document)
                warnings[name] = find_warnings(split_document(document)[0])
            verdicts[name] = problems
        if options["json"]:
            payload = {name: [p.as_dict() for p in problems] for name, problems in verdicts.items()}
            self.stdout.write(json.dumps(payload, indent=2))
        else:
            self._print(verdicts, warnings)
        invalid = sum(1 for problems in verdicts.values() if problems)
        if invalid:
            raise CommandError(f"{invalid} of {len(verdicts)} file(s) invalid", returncode=2)

    def _print(
        self, verdicts: dict[str, list[Problem]], warnings: dict[str, list[Problem]]
    ) -> None:
        for name, problems in verdicts.items():
            if problems:
                self.stdout.write(f"{name}: invalid ({len(problems)} problem(s))")
            else:
                self.stdout.write(f"{name}: valid")
            for problem in problems:
                self.stdout.write(f"  {problem.pointer or '/'}: {problem.message}")
            for warning in warnings.get(name, []):
                self.stdout.write(f"  warning: {warning.pointer}: {warning.message}")
