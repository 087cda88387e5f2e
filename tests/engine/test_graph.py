"""Building a plan: containers, runAfter words, cycles and dangling references."""

from __future__ import annotations

import pytest

from workflows.engine.durations import DurationError, parse_duration
from workflows.engine.graph import DefinitionError, build_plan
from workflows.engine.status import body_status


def test_it_orders_each_body_topologically_and_nests_containers() -> None:
    plan = build_plan(
        {
            "definition": {
                "actions": {
                    "B": {"type": "Compose", "runAfter": {"A": ["succeeded"]}},
                    "A": {"type": "Scope", "actions": {"Inner": {"type": "Compose"}}},
                }
            },
            "kind": "Stateful",
        }
    )
    assert [n.name for n in plan.root.nodes] == ["A", "B"]
    assert plan.nodes["Inner"].parent is plan.nodes["A"]
    assert plan.nodes["B"].run_after == {"A": frozenset({"Succeeded"})}
    assert plan.scope_children == {"A": ["Inner"]}


def test_it_names_the_cycle() -> None:
    with pytest.raises(DefinitionError, match=r"cycle: .*A.*B"):
        build_plan(
            {
                "actions": {
                    "A": {"type": "Compose", "runAfter": {"B": ["Succeeded"]}},
                    "B": {"type": "Compose", "runAfter": {"A": ["Succeeded"]}},
                }
            }
        )


def test_it_refuses_run_after_outside_the_container() -> None:
    with pytest.raises(DefinitionError, match="not an action of the same container") as info:
        build_plan(
            {
                "actions": {
                    "Top": {"type": "Compose"},
                    "S": {
                        "type": "Scope",
                        "actions": {"In": {"type": "Compose", "runAfter": {"Top": ["Succeeded"]}}},
                    },
                }
            }
        )
    assert info.value.pointer == "/actions/S/actions/In/runAfter"


def test_it_refuses_unknown_statuses_and_duplicate_names() -> None:
    with pytest.raises(DefinitionError, match="unknown status 'Done'"):
        build_plan(
            {
                "actions": {
                    "A": {"type": "Compose"},
                    "B": {"type": "Compose", "runAfter": {"A": ["Done"]}},
                }
            }
        )
    with pytest.raises(DefinitionError, match="used twice"):
        build_plan(
            {
                "actions": {
                    "A": {"type": "Scope", "actions": {"X": {"type": "Compose"}}},
                    "B": {"type": "Scope", "actions": {"X": {"type": "Compose"}}},
                }
            }
        )


def test_it_takes_a_skipped_branch_end_status_from_its_predecessor() -> None:
    plan = build_plan(
        {
            "actions": {
                "A": {"type": "Compose"},
                "Handled": {"type": "Compose", "runAfter": {"A": ["Failed"]}},
                "Next": {"type": "Compose", "runAfter": {"A": ["Succeeded"]}},
            }
        }
    )
    failed = {"A": "Failed", "Handled": "Succeeded", "Next": "Skipped"}
    assert body_status(plan.root, failed.__getitem__) == "Failed"
    succeeded = {"A": "Succeeded", "Handled": "Skipped", "Next": "Succeeded"}
    assert body_status(plan.root, succeeded.__getitem__) == "Succeeded"


def test_it_parses_iso_durations() -> None:
    assert parse_duration("PT1H30M").total_seconds() == 5400
    assert parse_duration("P1DT2S").total_seconds() == 86402
    assert parse_duration("PT0.5S").total_seconds() == 0.5
    for bad in ("", "P", "PT", "1H", "PT5X"):
        with pytest.raises(DurationError):
            parse_duration(bad)
