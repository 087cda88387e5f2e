"""`rows.new_instance`: the instance `Model(**values)` builds, without its walk."""

from __future__ import annotations

import pytest
from django.db.models import signals

from workflows import rows
from workflows.models import Kind, Run, Workflow, WorkflowVersion

pytestmark = pytest.mark.django_db


def _fields(instance) -> dict:
    return {f.attname: getattr(instance, f.attname) for f in type(instance)._meta.concrete_fields}


def test_it_is_the_instance_the_constructor_builds():
    workflow = Workflow.objects.create(name="w")
    version = WorkflowVersion.objects.create(workflow=workflow, number=1, definition={}, hash="h")
    values = {"workflow": workflow, "version": version, "trigger_name": "manual"}
    values["kind"] = Kind.STATELESS
    fast, slow = rows.new_instance(Run, **values), Run(**values)
    assert fast.id and fast.id != slow.id  # each default called, not shared
    assert {**_fields(fast), "id": None} == {**_fields(slow), "id": None}
    assert fast.workflow is workflow and fast.workflow_id == workflow.pk
    assert fast._state.adding and fast._state.db == slow._state.db
    assert fast.outputs == {} and fast.outputs is not rows.new_instance(Run).outputs
    fast.save()
    assert Run.objects.get(pk=fast.pk).trigger_name == "manual"


def test_a_model_with_init_receivers_is_built_by_its_constructor():
    seen = []

    def receiver(sender, instance, **kwargs):
        seen.append(instance)

    signals.post_init.connect(receiver, sender=Run)
    try:
        run = rows.new_instance(Run, trigger_name="t")
    finally:
        signals.post_init.disconnect(receiver, sender=Run)
    assert seen == [run]
