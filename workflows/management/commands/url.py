"""`sluice url WORKFLOW [TRIGGER]`: print the signed callback URL of a Request trigger."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from workflows.callback import callback_info
from workflows.models import Workflow


class Command(BaseCommand):
    help = "Print the signed callback URL of a Request trigger (base: SLUICE_PUBLIC_URL)."

    def add_arguments(self, parser):
        parser.add_argument("workflow")
        parser.add_argument("trigger", nargs="?", help="Default: the only Request trigger.")

    def handle(self, *args, workflow, trigger, **options):
        wf = Workflow.objects.select_related("current_version").filter(name=workflow).first()
        if wf is None:
            raise CommandError(f"no workflow named '{workflow}'")
        requests = [
            name
            for name, t in ((wf.definition or {}).get("triggers") or {}).items()
            if isinstance(t, dict) and t.get("type") == "Request"
        ]
        if trigger is None:
            if len(requests) != 1:
                raise CommandError(
                    f"name the trigger; Request triggers: {', '.join(requests) or 'none'}"
                )
            trigger = requests[0]
        if trigger not in requests:
            raise CommandError(f"'{workflow}' has no Request trigger named '{trigger}'")
        self.stdout.write(callback_info(wf, trigger)["value"])
