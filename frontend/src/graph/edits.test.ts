import { describe, expect, it } from "vitest";
import {
  addAction,
  connect,
  copyAction,
  deleteAction,
  disconnect,
  EditError,
  insertOnEdge,
  pasteAction,
  reconnect,
  renameAction,
  setEdgeStatuses,
  uniqueName,
  updateAction,
} from "./edits";
import { referencedActions, renameInString } from "./references";
import { findAction, type WdlDefinition } from "./wdl";

function base(): WdlDefinition {
  return {
    triggers: { manual: { type: "Request", kind: "Http" } },
    actions: {
      A: { type: "Compose", inputs: "@triggerBody()", runAfter: {} },
      B: { type: "Compose", inputs: "@{body('A')} and @outputs('A')?['x']", runAfter: { A: ["Succeeded"] } },
      S: {
        type: "Scope",
        actions: {
          In1: { type: "Compose", inputs: "@actions('A')", runAfter: {} },
          In2: { type: "Compose", inputs: "@body('In1')", runAfter: { In1: ["Succeeded"] } },
        },
        runAfter: { B: ["Succeeded"] },
      },
      L: {
        type: "Foreach",
        foreach: "@body('A')",
        actions: { Each: { type: "Compose", inputs: "@items('L')", runAfter: {} } },
        runAfter: { S: ["Failed"] },
      },
    },
    outputs: { out: { type: "string", value: "@result('S')" } },
  };
}

describe("addAction", () => {
  it("test_it_adds_after_an_action_in_the_same_scope", () => {
    const d = addAction(base(), "C", { type: "Compose", inputs: 1 }, { after: "In2" });
    expect(d.actions?.S?.actions?.C?.runAfter).toEqual({ In2: ["Succeeded"] });
  });
  it("test_it_adds_first_into_an_empty_branch", () => {
    const withIf = addAction(base(), "Cond", { type: "If", expression: "@true", actions: {} });
    const d = addAction(withIf, "F", { type: "Compose" }, { slot: { parent: "Cond", branch: "else" } });
    expect(d.actions?.Cond?.else?.actions?.F?.runAfter).toEqual({});
  });
  it("test_it_adds_into_a_new_switch_case", () => {
    const withSw = addAction(base(), "Sw", { type: "Switch", expression: "@1", cases: {}, default: { actions: {} } });
    const d = addAction(withSw, "X", { type: "Compose" }, { slot: { parent: "Sw", branch: "case:Case" } });
    expect(d.actions?.Sw?.cases?.Case?.actions?.X).toBeDefined();
  });
  it("test_it_refuses_a_duplicate_name", () => {
    expect(() => addAction(base(), "In1", { type: "Compose" })).toThrow(EditError);
  });
  it("test_it_does_not_change_its_input", () => {
    const d = base();
    addAction(d, "C", { type: "Compose" });
    expect(d).toEqual(base());
  });
});

describe("insertOnEdge", () => {
  it("test_it_puts_the_new_action_between_source_and_target", () => {
    const d = insertOnEdge(base(), "S", "L", "Mid", { type: "Compose" });
    expect(d.actions?.Mid?.runAfter).toEqual({ S: ["Failed"] });
    expect(d.actions?.L?.runAfter).toEqual({ Mid: ["Succeeded"] });
  });
  it("test_it_inserts_before_a_first_action", () => {
    const d = insertOnEdge(base(), null, "A", "First", { type: "Compose" });
    expect(d.actions?.First?.runAfter).toEqual({});
    expect(d.actions?.A?.runAfter).toEqual({ First: ["Succeeded"] });
  });
});

describe("deleteAction", () => {
  it("test_it_links_successors_to_the_deleted_actions_predecessors", () => {
    const d = deleteAction(base(), "B");
    expect(d.actions?.B).toBeUndefined();
    expect(d.actions?.S?.runAfter).toEqual({ A: ["Succeeded"] });
  });
  it("test_it_deletes_a_whole_scope", () => {
    const d = deleteAction(base(), "S");
    expect(findAction(d, "In1")).toBeUndefined();
    expect(d.actions?.L?.runAfter).toEqual({ B: ["Succeeded"] });
  });
  it("test_it_deletes_inside_a_scope", () => {
    const d = deleteAction(base(), "In1");
    expect(d.actions?.S?.actions?.In2?.runAfter).toEqual({});
  });
  it("test_it_fails_clearly_on_an_unknown_action", () => {
    expect(() => deleteAction(base(), "Nope")).toThrow(/No action named "Nope"/);
  });
});

describe("renameAction", () => {
  it("test_it_renames_keeping_position_and_run_after", () => {
    const d = renameAction(base(), "A", "Alpha");
    expect(Object.keys(d.actions ?? {})).toEqual(["Alpha", "B", "S", "L"]);
    expect(d.actions?.B?.runAfter).toEqual({ Alpha: ["Succeeded"] });
  });
  it("test_it_rewrites_expression_references_everywhere", () => {
    const d = renameAction(base(), "A", "Alpha");
    expect(d.actions?.B?.inputs).toBe("@{body('Alpha')} and @outputs('Alpha')?['x']");
    expect(d.actions?.S?.actions?.In1?.inputs).toBe("@actions('Alpha')");
    expect(d.actions?.L?.foreach).toBe("@body('Alpha')");
  });
  it("test_it_rewrites_items_and_result", () => {
    const d = renameAction(renameAction(base(), "L", "Loop"), "S", "Scope");
    expect(d.actions?.Loop?.actions?.Each?.inputs).toBe("@items('Loop')");
    expect((d.outputs as Record<string, { value: string }>).out?.value).toBe("@result('Scope')");
  });
  it("test_it_leaves_plain_text_and_other_names_alone", () => {
    expect(renameInString("body('A') is text", new Map([["A", "Z"]]))).toBe("body('A') is text");
    expect(renameInString("@body('AB')", new Map([["A", "Z"]]))).toBe("@body('AB')");
    expect(renameInString("@variables('A')", new Map([["A", "Z"]]))).toBe("@variables('A')");
  });
  it("test_it_handles_quotes_in_names", () => {
    expect(renameInString("@body('It''s')", new Map([["It's", "Its"]]))).toBe("@body('Its')");
  });
  it("test_it_refuses_a_taken_name", () => {
    expect(() => renameAction(base(), "A", "B")).toThrow(/already exists/);
  });
});

describe("connect / reconnect / statuses", () => {
  it("test_it_connects_siblings", () => {
    const d = connect(base(), "A", "L", ["Skipped"]);
    expect(d.actions?.L?.runAfter).toEqual({ S: ["Failed"], A: ["Skipped"] });
  });
  it("test_it_refuses_cycles", () => {
    expect(() => connect(base(), "L", "A")).toThrow(/cycle/);
  });
  it("test_it_refuses_cross_scope_edges", () => {
    expect(() => connect(base(), "A", "In1")).toThrow(/same scope/);
  });
  it("test_it_disconnects", () => {
    expect(disconnect(base(), "A", "B").actions?.B?.runAfter).toEqual({});
  });
  it("test_it_reconnects_keeping_statuses", () => {
    const d = reconnect(base(), "S", "L", "B");
    expect(d.actions?.L?.runAfter).toEqual({ B: ["Failed"] });
  });
  it("test_it_sets_edge_statuses", () => {
    const d = setEdgeStatuses(base(), "A", "B", ["Failed", "TimedOut"]);
    expect(d.actions?.B?.runAfter).toEqual({ A: ["Failed", "TimedOut"] });
    expect(() => setEdgeStatuses(base(), "A", "B", [])).toThrow(EditError);
    expect(() => setEdgeStatuses(base(), "B", "A", ["Failed"])).toThrow(/does not run after/);
  });
});

describe("updateAction", () => {
  it("test_it_patches_fields_and_keeps_children", () => {
    const d = updateAction(base(), "S", { description: "x" });
    expect(d.actions?.S?.description).toBe("x");
    expect(Object.keys(d.actions?.S?.actions ?? {})).toEqual(["In1", "In2"]);
  });
});

describe("copy / paste", () => {
  it("test_it_pastes_a_copy_with_a_unique_name", () => {
    const text = copyAction(base(), "A");
    const { definition, name } = pasteAction(base(), text, { after: "B" });
    expect(name).toBe("A_2");
    expect(definition.actions?.A_2?.runAfter).toEqual({ B: ["Succeeded"] });
  });
  it("test_it_pastes_a_whole_scope_renaming_inner_actions_and_their_references", () => {
    const { definition, name } = pasteAction(base(), copyAction(base(), "S"));
    expect(name).toBe("S_2");
    const scope = definition.actions?.S_2;
    expect(Object.keys(scope?.actions ?? {})).toEqual(["In1_2", "In2_2"]);
    expect(scope?.actions?.In2_2?.runAfter).toEqual({ In1_2: ["Succeeded"] });
    expect(scope?.actions?.In2_2?.inputs).toBe("@body('In1_2')");
    expect(scope?.actions?.In1_2?.inputs).toBe("@actions('A')");
  });
  it("test_it_rejects_a_clipboard_that_is_not_an_action", () => {
    expect(() => pasteAction(base(), "hello")).toThrow(/clipboard/);
  });
});

describe("names and references", () => {
  it("test_it_makes_unique_names", () => {
    expect(uniqueName(new Set(["A", "A_2"]), "A")).toBe("A_3");
    expect(uniqueName(new Set(), "Send mail")).toBe("Send_mail");
  });
  it("test_it_lists_referenced_actions", () => {
    expect([...referencedActions(base())].sort()).toEqual(["A", "In1", "L", "S"]);
  });
});

import { actionOfPointer, appendToSlot, endOfSlot, setTrigger, updateTrigger } from "./edits";

describe("triggers and slots", () => {
  it("test_it_sets_and_updates_the_trigger", () => {
    const d = setTrigger(base(), "manual", { type: "Request", kind: "Http", inputs: { schema: {} } });
    expect(updateTrigger(d, "manual", { inputs: { method: "POST" } }).triggers?.manual?.inputs).toEqual({ method: "POST" });
    expect(() => updateTrigger(d, "x", {})).toThrow(/No trigger/);
  });
  it("test_it_appends_to_the_end_of_a_slot", () => {
    expect(endOfSlot(base(), { parent: "S", branch: "actions" })).toBe("In2");
    const d = appendToSlot(base(), { parent: null, branch: "actions" }, "Z", { type: "Compose" });
    expect(d.actions?.Z?.runAfter).toEqual({ L: ["Succeeded"] });
  });
  it("test_it_pins_problems_to_the_deepest_action", () => {
    expect(actionOfPointer("/actions/S/actions/In1/inputs")).toBe("In1");
    expect(actionOfPointer("/actions/A/runAfter/B")).toBe("A");
    expect(actionOfPointer("/triggers/manual/type")).toBe("trigger::manual");
    expect(actionOfPointer("/outputs")).toBeNull();
  });
});

import { addSwitchCase, deleteSwitchCase, renameSwitchCase, setSwitchCaseValue } from "./edits";

describe("switch cases", () => {
  const sw = (): WdlDefinition => ({
    actions: { Sw: { type: "Switch", expression: "@1", cases: { One: { case: 1, actions: { X: { type: "Compose" } } } }, default: { actions: {} } } },
  });
  it("test_it_adds_a_case_with_a_unique_name", () => {
    const { definition, caseName } = addSwitchCase(sw(), "Sw", 2);
    expect(caseName).toBe("Case_2");
    expect(definition.actions?.Sw?.cases?.Case_2).toEqual({ case: 2, actions: {} });
  });
  it("test_it_sets_renames_and_deletes_cases", () => {
    let d = setSwitchCaseValue(sw(), "Sw", "One", "uno");
    d = renameSwitchCase(d, "Sw", "One", "Uno");
    expect(d.actions?.Sw?.cases).toEqual({ Uno: { case: "uno", actions: { X: { type: "Compose" } } } });
    expect(findAction(deleteSwitchCase(d, "Sw", "Uno"), "X")).toBeUndefined();
  });
  it("test_it_refuses_non_switches_and_duplicate_case_names", () => {
    expect(() => addSwitchCase(base(), "A")).toThrow(/not a Switch/);
    const { definition } = addSwitchCase(sw(), "Sw");
    expect(() => renameSwitchCase(definition, "Sw", "Case_2", "One")).toThrow(/already exists/);
  });
});
