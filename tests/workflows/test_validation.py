"""Definition validation: each rule, with the JSON pointer of each problem."""

from __future__ import annotations

import copy

import pytest

from workflows.validation import (
    find_warnings,
    split_document,
    validate_definition,
    validate_document,
)

BASE = {
    "triggers": {"manual": {"type": "Request", "kind": "Http", "inputs": {}}},
    "actions": {
        "First": {"type": "Compose", "inputs": "a", "runAfter": {}},
        "Second": {"type": "Compose", "inputs": "b", "runAfter": {"First": ["Succeeded"]}},
    },
}


def with_actions(**actions):
    definition = copy.deepcopy(BASE)
    definition["actions"].update(actions)
    return definition


def problems_of(definition):
    return {(p.pointer, p.message) for p in validate_definition(definition)}


def pointers_of(definition):
    return {p.pointer for p in validate_definition(definition)}


def test_it_accepts_a_valid_definition():
    assert validate_definition(BASE) == []


def test_it_accepts_the_standard_wrapper_and_reports_under_definition():
    assert split_document({"definition": BASE, "kind": "Stateless"}) == (BASE, "Stateless")
    doc = {"definition": with_actions(Bad={"type": "Nope"}), "kind": "Stateful"}
    assert [p.pointer for p in validate_document(doc)] == ["/definition/actions/Bad/type"]


def test_it_rejects_an_unknown_kind():
    assert [p.pointer for p in validate_document({"definition": BASE, "kind": "Eager"})] == [
        "/kind"
    ]


@pytest.mark.parametrize("document", [None, [], "text", 3])
def test_it_rejects_a_non_object_without_a_traceback(document):
    problems = validate_definition(document)
    assert len(problems) == 1 and "JSON object" in problems[0].message


def test_it_names_the_unsupported_action_type_and_where():
    problems = validate_definition(with_actions(Row={"type": "RosettaNetEncode", "inputs": {}}))
    assert [str(p) for p in problems] == [
        "/actions/Row/type: unsupported action type 'RosettaNetEncode' at /actions/Row"
    ]


def test_it_rejects_an_unknown_trigger_type():
    definition = copy.deepcopy(BASE)
    definition["triggers"]["poll"] = {"type": "ApiConnection", "inputs": {}}
    assert pointers_of(definition) == {"/triggers/poll/type"}


def test_it_finds_duplicate_names_across_nesting_levels():
    definition = with_actions(
        Scope={"type": "Scope", "actions": {"First": {"type": "Compose", "inputs": 1}}}
    )
    (problem,) = validate_definition(definition)
    assert problem.pointer == "/actions/Scope/actions/First"
    assert "already used at /actions/First" in problem.message


def test_it_allows_run_after_only_to_siblings():
    definition = with_actions(
        Scope={
            "type": "Scope",
            "actions": {
                "Inner": {"type": "Compose", "inputs": 1, "runAfter": {"First": ["Succeeded"]}}
            },
        }
    )
    (problem,) = validate_definition(definition)
    assert problem.pointer == "/actions/Scope/actions/Inner/runAfter/First"
    assert "not an action in the same container" in problem.message


def test_it_names_the_cycle():
    definition = with_actions()
    definition["actions"]["First"]["runAfter"] = {"Second": ["Succeeded"]}
    (problem,) = validate_definition(definition)
    assert problem.pointer == "/actions"
    assert "cycle" in problem.message and "First" in problem.message and "Second" in problem.message


def test_it_accepts_statuses_in_any_case_and_rejects_unknown_ones():
    definition = with_actions()
    definition["actions"]["Second"]["runAfter"] = {"First": ["SUCCEEDED", "failed", "TimedOut"]}
    assert validate_definition(definition) == []
    definition["actions"]["Second"]["runAfter"] = {"First": ["Done"]}
    assert pointers_of(definition) == {"/actions/Second/runAfter/First/0"}


def test_it_checks_nested_blocks_of_if_and_switch():
    definition = with_actions(
        Check={
            "type": "If",
            "expression": "@true",
            "actions": {},
            "else": {"actions": {"Nope": {"type": "Unheard"}}},
        },
        Pick={
            "type": "Switch",
            "expression": "@1",
            "cases": {"One": {"case": 1, "actions": {"Bad": {"type": "Unheard"}}}},
            "default": {"actions": {"Worse": {"type": "Unheard"}}},
        },
    )
    assert pointers_of(definition) == {
        "/actions/Check/else/actions/Nope/type",
        "/actions/Pick/cases/One/actions/Bad/type",
        "/actions/Pick/default/actions/Worse/type",
    }


def test_it_limits_switch_cases_and_rejects_duplicate_case_values():
    cases = {f"C{i}": {"case": i, "actions": {}} for i in range(26)}
    definition = with_actions(Pick={"type": "Switch", "expression": "@1", "cases": cases})
    assert "/actions/Pick/cases" in pointers_of(definition)
    cases = {"A": {"case": "x", "actions": {}}, "B": {"case": "x", "actions": {}}}
    definition = with_actions(Pick={"type": "Switch", "expression": "@1", "cases": cases})
    assert pointers_of(definition) == {"/actions/Pick/cases/B/case"}


def test_it_limits_nesting_depth_to_eight():
    inner: dict = {"Leaf": {"type": "Compose", "inputs": 1}}
    for level in range(8):
        inner = {f"S{level}": {"type": "Scope", "actions": inner}}
    problems = validate_definition({"triggers": {}, "actions": inner})
    assert len(problems) == 1 and "nested at most 8" in problems[0].message
    assert problems[0].pointer.endswith("/Leaf")


def test_it_refuses_terminate_and_response_inside_loops():
    definition = with_actions(
        Loop={
            "type": "Foreach",
            "foreach": "@createArray(1)",
            "actions": {"Stop": {"type": "Terminate", "inputs": {"runStatus": "Failed"}}},
        }
    )
    assert pointers_of(definition) == {"/actions/Loop/actions/Stop"}


def test_it_requires_an_until_limit():
    definition = with_actions(Loop={"type": "Until", "expression": "@true", "actions": {}})
    (problem,) = validate_definition(definition)
    assert problem.message == "Either limit count or timeout must be specified."


def test_it_checks_foreach_concurrency_and_sequential_together():
    loop = {
        "type": "Foreach",
        "foreach": "@createArray(1)",
        "actions": {},
        "runtimeConfiguration": {"concurrency": {"repetitions": 51}},
    }
    assert pointers_of(with_actions(Loop=loop)) == {
        "/actions/Loop/runtimeConfiguration/concurrency/repetitions"
    }
    loop["runtimeConfiguration"]["concurrency"]["repetitions"] = 5
    loop["operationOptions"] = "Sequential"
    assert pointers_of(with_actions(Loop=loop)) == {"/actions/Loop"}


def test_it_checks_variable_types_and_counts():
    definition = with_actions(
        Init={
            "type": "InitializeVariable",
            "inputs": {"variables": [{"name": "x", "type": "number"}]},
        }
    )
    assert pointers_of(definition) == {"/actions/Init/inputs/variables/0/type"}
    many = [{"name": f"v{i}", "type": "integer", "value": 0} for i in range(251)]
    definition = with_actions(Init={"type": "InitializeVariable", "inputs": {"variables": many}})
    assert any("250 variables" in message for _, message in problems_of(definition))


def test_it_requires_the_inputs_each_builtin_needs():
    definition = with_actions(
        Parse={"type": "ParseJson", "inputs": {"content": "{}"}},
        Stop={"type": "Terminate", "inputs": {"runStatus": "Paused"}},
        Pause={"type": "Wait", "inputs": {}},
        Tab={"type": "Table", "inputs": {"from": [], "format": "XLSX"}},
    )
    assert pointers_of(definition) == {
        "/actions/Parse/inputs",
        "/actions/Stop/inputs/runStatus",
        "/actions/Pause/inputs",
        "/actions/Tab/inputs/format",
    }


def test_it_checks_parameters_and_names():
    definition = copy.deepcopy(BASE)
    definition["parameters"] = {"p": {"type": "decimal"}}
    definition["actions"]["x" * 81] = {"type": "Compose", "inputs": 1}
    assert pointers_of(definition) == {"/parameters/p/type", "/actions/" + "x" * 81}


def test_it_checks_recurrence_triggers():
    definition = copy.deepcopy(BASE)
    definition["triggers"] = {
        "tick": {"type": "Recurrence", "recurrence": {"frequency": "Fortnight"}}
    }
    assert pointers_of(definition) == {"/triggers/tick/recurrence/frequency"}


def test_it_reports_non_object_sections():
    assert pointers_of({"triggers": [], "actions": {}}) == {"/triggers"}


def test_it_escapes_json_pointer_tokens():
    definition = with_actions(**{"a/b~c": {"type": "Unheard"}})
    assert pointers_of(definition) == {"/actions/a~1b~0c/type"}


def test_it_reports_a_bad_expression_with_its_pointer_and_position():
    (problem,) = validate_definition(
        with_actions(Bad={"type": "Compose", "inputs": {"x": "@concat(1,"}})
    )
    assert problem.pointer == "/actions/Bad/inputs/x"
    assert "position 10" in problem.message


def test_it_reports_an_unknown_function():
    (problem,) = validate_definition(with_actions(Bad={"type": "Compose", "inputs": "@nosuch(1)"}))
    assert "'nosuch'" in problem.message


def test_it_warns_about_references_to_actions_that_do_not_exist():
    definition = with_actions(
        Use={"type": "Compose", "inputs": "@{body('Ghost')} @{outputs('First')}"}
    )
    assert validate_definition(definition) == []
    (problem,) = find_warnings(definition)
    assert problem.pointer == "/actions/Use/inputs"
    assert problem.message == "the action(s) 'Ghost' referenced here are not defined"


def test_it_limits_expression_length():
    text = "@concat('" + "a" * 8200 + "')"
    (problem,) = validate_definition(with_actions(Long={"type": "Compose", "inputs": text}))
    assert "8192" in problem.message
