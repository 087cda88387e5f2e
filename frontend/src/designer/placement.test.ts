import { describe, expect, it } from "vitest";
import { laneId, triggerNodeId } from "../graph/mapping";
import type { WdlDefinition } from "../graph/wdl";
import { laneSlot, placeAction, placeTrigger } from "./placement";

const def = (): WdlDefinition => ({
  triggers: { manual: { type: "Request", kind: "Http" } },
  actions: {
    A: { type: "Compose", runAfter: {} },
    B: { type: "Compose", runAfter: { A: ["Succeeded"] } },
    C: { type: "If", expression: "@true", actions: {}, else: { actions: {} }, runAfter: { B: ["Succeeded"] } },
    S: { type: "Scope", actions: { In: { type: "Compose" } }, runAfter: { C: ["Succeeded"] } },
  },
});
const compose = { type: "Compose", inputs: 1 };

describe("placement", () => {
  it("test_it_sets_the_trigger_keeping_its_name", () => {
    const p = placeTrigger({}, "manual", { type: "Request" });
    expect(p.id).toBe(triggerNodeId("manual"));
    expect(Object.keys(placeTrigger(def(), "other", { type: "Recurrence" }).definition.triggers ?? {})).toEqual(["manual"]);
  });
  it("test_it_appends_to_the_end_when_nothing_is_targeted", () => {
    const p = placeAction(def(), "Compose", compose, { kind: "none" });
    expect(p.id).toBe("Compose");
    expect(p.definition.actions?.Compose?.runAfter).toEqual({ S: ["Succeeded"] });
  });
  it("test_it_inserts_between_a_node_and_its_single_successor_when_dropped_on_it", () => {
    const p = placeAction(def(), "A", compose, { kind: "node", id: "A" });
    expect(p.id).toBe("A_2");
    expect(p.definition.actions?.B?.runAfter).toEqual({ A_2: ["Succeeded"] });
  });
  it("test_it_drops_into_a_lane", () => {
    const p = placeAction(def(), "X", compose, { kind: "node", id: laneId("C", "else") });
    expect(p.definition.actions?.C?.else?.actions?.X?.runAfter).toEqual({});
  });
  it("test_it_drops_into_a_scope_after_its_last_action", () => {
    const p = placeAction(def(), "X", compose, { kind: "node", id: "S" });
    expect(p.definition.actions?.S?.actions?.X?.runAfter).toEqual({ In: ["Succeeded"] });
  });
  it("test_it_drops_on_the_trigger_before_the_first_action", () => {
    const p = placeAction(def(), "X", compose, { kind: "node", id: triggerNodeId("manual") });
    expect(p.definition.actions?.A?.runAfter).toEqual({ X: ["Succeeded"] });
  });
  it("test_it_inserts_on_an_edge_and_into_a_slot", () => {
    expect(placeAction(def(), "X", compose, { kind: "edge", source: "A", target: "B" }).definition.actions?.X?.runAfter).toEqual({ A: ["Succeeded"] });
    expect(placeAction(def(), "X", compose, { kind: "slot", slot: { parent: "C", branch: "actions" } }).definition.actions?.C?.actions?.X).toBeDefined();
  });
  it("test_it_parses_lane_ids", () => {
    expect(laneSlot(laneId("Sw", "case:One"))).toEqual({ parent: "Sw", branch: "case:One" });
    expect(laneSlot("Plain")).toBeNull();
  });
});
