"""`sluice run FILE`: run one definition here and now, print the run record as JSON.

Uses a throw-away SQLite database (migrated on the spot) unless `DATABASE_URL`,
`SLUICE_DATA_DIR` or `SLUICE_SQLITE_PATH` says where the real one is. Timers are
real: a `Wait` of 2 s waits 2 s. Child `Workflow` actions find their workflow in
the database, or as `NAME.json` / `NAME/workflow.json` next to FILE.
Exit status: 0 when the run Succeeded, 1 when it did not, 2 for bad input.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connections


def _fail(message: str) -> CommandError:
    return CommandError(message, returncode=2)


def read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8-sig"))
    except OSError as exc:
        raise _fail(f"cannot read {path}: {exc.strerror or exc}") from None
    except json.JSONDecodeError as exc:
        raise _fail(
            f"{path}: invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}"
        ) from None


def parse_body(text: str | None) -> Any:
    if text is None:
        return None
    if text.startswith("@"):
        path = Path(text[1:])
        try:
            text = path.read_text(encoding="utf-8-sig")
        except OSError as exc:
            raise _fail(f"cannot read body file {path}: {exc.strerror or exc}") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return text


def parse_headers(values: list[str]) -> dict[str, str]:
    headers = {}
    for value in values:
        name, sep, content = value.partition(":")
        if not sep or not name.strip():
            raise _fail(f"--header must look like 'Name: value', not {value!r}")
        headers[name.strip()] = content.strip()
    return headers


def parse_params(values: list[str]) -> dict[str, Any]:
    params = {}
    for value in values:
        name, sep, raw = value.partition("=")
        if not sep or not name:
            raise _fail(f"--param must look like NAME=JSON, not {value!r}")
        try:
            params[name] = json.loads(raw)
        except json.JSONDecodeError:
            params[name] = raw
    return params


def problems_of(document: Any) -> list[Any]:
    try:
        from workflows.validation import validate_document
    except ImportError:
        return []
    return list(validate_document(document))


def _migrations_fingerprint() -> str:
    digest = hashlib.sha256()
    for path in sorted(Path(settings.BASE_DIR).glob("*/migrations/*.py")):
        stat = path.stat()
        digest.update(f"{path}:{stat.st_size}:{stat.st_mtime_ns}".encode())
    return digest.hexdigest()[:16]


def _template_database() -> Path:
    """A migrated empty database, built once per set of migrations and copied per run."""
    template = (
        Path(tempfile.gettempdir()) / f"sluice-run-template-{_migrations_fingerprint()}.sqlite3"
    )
    if not template.exists():
        building = template.with_suffix(f".{os.getpid()}.tmp")
        _point_at(building)
        call_command("migrate", verbosity=0, interactive=False, skip_checks=True)
        connections["default"].close()
        os.replace(building, template)
    return template


def _point_at(path: Path) -> None:
    connections["default"].close()
    settings.DATABASES["default"]["NAME"] = str(path)
    connections["default"].settings_dict["NAME"] = str(path)


def use_temporary_database() -> None:
    """Point Django at a fresh SQLite file (a copy of a migrated template)."""
    if any(os.environ.get(k) for k in ("DATABASE_URL", "SLUICE_DATA_DIR", "SLUICE_SQLITE_PATH")):
        call_command("migrate", verbosity=0, interactive=False, skip_checks=True)
        return
    path = Path(tempfile.mkdtemp(prefix="sluice-run-")) / "run.sqlite3"
    shutil.copyfile(_template_database(), path)
    _point_at(path)


def child_names(value: Any) -> set[str]:
    from workflows.actions.control import child_workflow_name

    names: set[str] = set()
    if isinstance(value, dict):
        if str(value.get("type", "")).lower() == "workflow" and isinstance(
            value.get("inputs"), dict
        ):
            with contextlib.suppress(Exception):
                names.add(child_workflow_name(value["inputs"])[0])
        for item in value.values():
            names |= child_names(item)
    elif isinstance(value, list):
        for item in value:
            names |= child_names(item)
    return names


def save(name: str, document: Any) -> Any:
    from workflows.models import Workflow, WorkflowVersion, definition_hash
    from workflows.validation import split_document

    definition, kind = split_document(document)
    kind = "Stateless" if str(kind).lower() == "stateless" else "Stateful"
    workflow, _ = Workflow.objects.get_or_create(name=name)
    number = workflow.versions.count() + 1
    version = WorkflowVersion.objects.create(
        workflow=workflow,
        number=number,
        definition=definition,
        kind=kind,
        hash=definition_hash(definition, kind),
    )
    workflow.current_version = version
    workflow.save()
    return workflow


def load_children(path: Path, document: Any, seen: set[str]) -> None:
    from workflows.models import Workflow

    for name in child_names(document) - seen:
        seen.add(name)
        if Workflow.objects.filter(name=name, current_version__isnull=False).exists():
            continue
        for candidate in (path.parent / f"{name}.json", path.parent / name / "workflow.json"):
            if candidate.exists():
                child = read_json(candidate)
                save(name, child)
                load_children(candidate, child, seen)
                break


def workflow_name(path: Path) -> str:
    from django.utils.text import slugify

    stem = path.parent.name if path.name == "workflow.json" else path.stem
    return slugify(stem)[:80] or "workflow"


class Command(BaseCommand):
    help = "Run a workflow definition in this process and print the run record as JSON."

    def add_arguments(self, parser):
        parser.add_argument("file", metavar="FILE")
        parser.add_argument("--body", help="trigger body: JSON text, or @file")
        parser.add_argument(
            "--header", action="append", default=[], help="'Name: value' (repeatable)"
        )
        parser.add_argument("--param", action="append", default=[], help="NAME=JSON (repeatable)")
        parser.add_argument("--trigger", default=None, help="trigger name (default: the first one)")

    def handle(self, *args, **options):
        path = Path(options["file"])
        document = read_json(path)
        problems = problems_of(document)
        if problems:
            for problem in problems:
                self.stderr.write(
                    f"{path}: {getattr(problem, 'pointer', '')}: {getattr(problem, 'message', problem)}"
                )
            raise _fail(f"{path}: invalid definition ({len(problems)} problem(s))")
        record = self.run_document(path, document, options)
        self.stdout.write(json.dumps(record, indent=2, default=str))
        if record["status"] != "Succeeded":
            raise CommandError(f"run {record['status']}", returncode=1)

    def run_document(self, path: Path, document: Any, options: dict[str, Any]) -> dict[str, Any]:
        if int(options.get("verbosity", 1)) < 2:
            for name in ("sluice", "celery", "kombu", "kombu.connection"):
                logging.getLogger(name).setLevel(logging.WARNING)
        settings.CELERY_TASK_ALWAYS_EAGER = True
        from config.celery import app

        app.conf.task_always_eager = True
        use_temporary_database()
        from workflows import services
        from workflows.validation import split_document

        definition, _ = split_document(document)
        workflow = save(workflow_name(path), document)
        load_children(path, document, set())
        trigger = options["trigger"] or next(
            iter((definition.get("triggers") or {"manual": {}}).keys())
        )
        outputs = {"headers": parse_headers(options["header"]), "body": parse_body(options["body"])}
        run = services.create_run(
            workflow, trigger, outputs, parameters=parse_params(options["param"])
        )
        if run is None:
            raise CommandError(
                "the trigger conditions were not met; no run was created", returncode=1
            )
        run = services.drive(run.id)
        return services.run_record(run)
