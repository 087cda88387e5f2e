"""`sluice apply PATH…`: create or update workflows from definition files.

Each PATH is a JSON file or a directory (searched recursively for `*.json`). The
workflow is named by the file itself when it carries a top-level `"name"`
(`{"name", "definition", "kind"}`), else after a Standard project folder
(`<name>/workflow.json`), else after the file (`orders.json` → `orders`).
Idempotent: prints `created`, `updated` or `unchanged` per workflow; an invalid
file prints its problems and nothing of it is saved. Exit 2 if any file failed.
"""

from __future__ import annotations

import re
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from accounts import audit
from workflows.management.commands.validate import load_document

_BAD = re.compile(r"[^A-Za-z0-9_-]+")


def files_of(paths: list[str]) -> list[Path]:
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found.extend(sorted(p for p in path.rglob("*.json") if p.is_file()))
        else:
            found.append(path)
    return found


def workflow_name(path: Path, document: object) -> str:
    if (
        isinstance(document, dict)
        and isinstance(document.get("name"), str)
        and "definition" in document
    ):
        return document["name"]
    stem = path.parent.name if path.name.lower() == "workflow.json" else path.stem
    return _BAD.sub("-", stem).strip("-")[:80]


def _document(document: dict) -> dict:
    return (
        {k: v for k, v in document.items() if k in {"definition", "kind"}}
        if "name" in document and "definition" in document
        else document
    )


class Command(BaseCommand):
    help = "Create or update workflows from definition JSON files or directories (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", metavar="PATH", help="JSON files or directories")

    def handle(self, *args, paths, **options):
        from workflows.validation import DefinitionError
        from workflows.versions import save_definition

        files = files_of(paths)
        if not files:
            raise CommandError("no definition files found")
        failed = 0
        for path in files:
            failed += not self._apply(path, save_definition, DefinitionError)
        if failed:
            raise CommandError(f"{failed} of {len(files)} file(s) not applied", returncode=2)

    def _apply(self, path: Path, save_definition, DefinitionError) -> bool:
        document, problems = load_document(path)
        name = workflow_name(path, document) if document is not None else ""
        if document is not None and not name:
            self.stdout.write(f"{path}: cannot derive a workflow name")
            return False
        if not problems:
            try:
                workflow, result = save_definition(name, _document(document))
                if result != "unchanged":
                    audit.record(
                        "cli",
                        result,
                        "workflow",
                        name,
                        version=workflow.current_version.number,
                        file=str(path),
                    )
                self.stdout.write(f"{result} {name} ({path})")
                return True
            except DefinitionError as exc:
                problems = exc.problems
        self.stdout.write(f"{path}: invalid ({len(problems)} problem(s))")
        for problem in problems:
            self.stdout.write(f"  {problem.pointer or '/'}: {problem.message}")
        return False
