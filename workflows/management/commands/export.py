"""`sluice export [--out DIR] [WORKFLOW…]`: write each workflow's current definition
as `DIR/<name>.json` in the Standard `{"definition", "kind"}` wrapper (what
`sluice apply DIR` reads back), or print one JSON object of all of them."""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from workflows.models import Workflow


def document_of(workflow: Workflow) -> dict:
    version = workflow.current_version
    return {
        "definition": version.definition if version else {},
        "kind": version.kind if version else "Stateful",
    }


class Command(BaseCommand):
    help = "Export workflow definitions (all, or the ones named) to a directory or stdout."

    def add_arguments(self, parser):
        parser.add_argument("workflows", nargs="*", metavar="WORKFLOW")
        parser.add_argument("--out", help="directory to write <name>.json files into")

    def handle(self, *args, workflows, out, **options):
        queryset = Workflow.objects.select_related("current_version").order_by("name")
        if workflows:
            queryset = queryset.filter(name__in=workflows)
            missing = set(workflows) - {w.name for w in queryset}
            if missing:
                raise CommandError(f"no workflow named {', '.join(sorted(missing))}")
        if out is None:
            self.stdout.write(json.dumps({w.name: document_of(w) for w in queryset}, indent=2))
            return
        directory = Path(out)
        try:
            directory.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise CommandError(f"cannot create {directory}: {exc.strerror or exc}")
        for workflow in queryset:
            target = directory / f"{workflow.name}.json"
            target.write_text(json.dumps(document_of(workflow), indent=2) + "\n")
            self.stdout.write(f"exported {workflow.name} -> {target}")
