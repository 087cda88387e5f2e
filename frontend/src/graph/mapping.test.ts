import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { definitionToGraph, graphToDefinition, laneId, triggerNodeId } from "./mapping";
import type { WdlDefinition } from "./wdl";

const CORPUS = join(__dirname, "../../../tests/corpus/logicapps");
const files = readdirSync(CORPUS).filter((f) => f.endsWith(".json"));

function load(file: string): WdlDefinition {
  const raw = JSON.parse(readFileSync(join(CORPUS, file), "utf8"));
  return raw.definition ?? raw;
}

describe("corpus round trip", () => {
  it("test_it_finds_the_corpus", () => {
    expect(files.length).toBeGreaterThanOrEqual(38);
  });
  it.each(files)("test_it_maps_%s_to_a_graph_and_back_identically", (file) => {
    const def = load(file);
    const graph = definitionToGraph(def);
    expect(graph.nodes.length).toBeGreaterThan(0);
    const back = graphToDefinition(graph);
    expect(JSON.stringify(back)).toBe(JSON.stringify(def));
  });
});

const sample: WdlDefinition = {
  triggers: { manual: { type: "Request", kind: "Http", inputs: {} } },
  actions: {
    Compose: { type: "Compose", inputs: "@triggerBody()", runAfter: {} },
    Condition: {
      type: "If",
      expression: "@equals(1,1)",
      actions: { Yes: { type: "Compose", inputs: 1, runAfter: {} } },
      else: { actions: { No: { type: "Compose", inputs: 2, runAfter: {} } } },
      runAfter: { Compose: ["Succeeded"] },
    },
    Switch: {
      type: "Switch",
      expression: "@1",
      cases: { One: { case: 1, actions: { A: { type: "Compose", inputs: "a" } } } },
      default: { actions: {} },
      runAfter: { Condition: ["Failed", "Skipped"] },
    },
    Loop: { type: "Foreach", foreach: "@createArray(1)", actions: { Inner: { type: "Compose", inputs: 1 } } },
  },
};

describe("definitionToGraph", () => {
  const graph = definitionToGraph(sample);
  const byId = new Map(graph.nodes.map((n) => [n.id, n]));

  it("test_it_makes_a_trigger_node_and_links_root_actions_to_it", () => {
    expect(byId.get(triggerNodeId("manual"))?.data.kind).toBe("trigger");
    expect(graph.edges.some((e) => e.source === triggerNodeId("manual") && e.target === "Compose")).toBe(true);
    expect(graph.edges.some((e) => e.source === triggerNodeId("manual") && e.target === "Loop")).toBe(true);
  });
  it("test_it_turns_run_after_into_edges_labelled_only_when_not_just_succeeded", () => {
    const plain = graph.edges.find((e) => e.id === "Compose->Condition");
    const labelled = graph.edges.find((e) => e.id === "Condition->Switch");
    expect(plain?.label).toBeUndefined();
    expect(labelled?.label).toBe("Failed, Skipped");
    expect(labelled?.data?.statuses).toEqual(["Failed", "Skipped"]);
  });
  it("test_it_gives_if_true_and_false_lanes", () => {
    expect(byId.get(laneId("Condition", "actions"))?.data.name).toBe("True");
    expect(byId.get(laneId("Condition", "else"))?.data.name).toBe("False");
    expect(byId.get("Yes")?.parentId).toBe(laneId("Condition", "actions"));
    expect(byId.get("No")?.parentId).toBe(laneId("Condition", "else"));
  });
  it("test_it_gives_switch_one_lane_per_case_and_a_default", () => {
    expect(byId.get(laneId("Switch", "case:One"))?.parentId).toBe("Switch");
    expect(byId.get(laneId("Switch", "default"))?.data.name).toBe("Default");
    expect(byId.get("A")?.parentId).toBe(laneId("Switch", "case:One"));
  });
  it("test_it_nests_loop_children_directly", () => {
    expect(byId.get("Loop")?.data.kind).toBe("container");
    expect(byId.get("Inner")?.parentId).toBe("Loop");
  });
  it("test_it_shows_unknown_types_as_plain_actions", () => {
    const g = definitionToGraph({ actions: { X: { type: "SomethingManaged", inputs: {} } } });
    expect(g.nodes[0]?.data).toMatchObject({ kind: "action", type: "SomethingManaged" });
  });
  it("test_it_puts_parents_before_children", () => {
    const index = new Map(graph.nodes.map((n, i) => [n.id, i]));
    for (const n of graph.nodes) {
      if (n.parentId) expect(index.get(n.parentId)!).toBeLessThan(index.get(n.id)!);
    }
  });
});

describe("graphToDefinition", () => {
  it("test_it_round_trips_the_sample", () => {
    expect(graphToDefinition(definitionToGraph(sample))).toEqual(sample);
  });
  it("test_it_writes_a_new_else_branch_only_when_it_gets_actions", () => {
    const def: WdlDefinition = { actions: { C: { type: "If", expression: "@true", actions: {} } } };
    const g = definitionToGraph(def);
    g.nodes.push({ id: "N", type: "action", position: { x: 0, y: 0 }, parentId: laneId("C", "else"),
      data: { kind: "action", name: "N", type: "Compose", action: { type: "Compose", inputs: 1 } } });
    expect(graphToDefinition(g).actions?.C?.else).toEqual({ actions: { N: { type: "Compose", inputs: 1 } } });
  });
});
