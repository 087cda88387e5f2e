import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { definitionToGraph, laneId } from "./mapping";
import { layoutBoxes, layoutGraph, NODE_HEIGHT } from "./layout";
import { bigDefinition } from "./fixtures";

const CORPUS = join(__dirname, "../../../tests/corpus/logicapps");

describe("layoutGraph", () => {
  it("test_it_places_successors_below_predecessors", async () => {
    const g = definitionToGraph({
      triggers: { manual: { type: "Request" } },
      actions: { A: { type: "Compose", runAfter: {} }, B: { type: "Compose", runAfter: { A: ["Succeeded"] } } },
    });
    const boxes = await layoutBoxes(g.nodes, g.edges);
    expect(boxes.get("B")!.y).toBeGreaterThanOrEqual(boxes.get("A")!.y + NODE_HEIGHT);
  });
  it("test_it_sizes_containers_around_their_children", async () => {
    const raw = JSON.parse(readFileSync(join(CORPUS, "15-lauxmock-Conditionals.json"), "utf8"));
    const g = definitionToGraph(raw.definition ?? raw);
    const nodes = await layoutGraph(g);
    for (const n of nodes) {
      if (!n.parentId) continue;
      const parent = nodes.find((p) => p.id === n.parentId)!;
      expect(n.position.x).toBeGreaterThanOrEqual(0);
      expect(n.position.y).toBeGreaterThanOrEqual(0);
      expect(n.position.x).toBeLessThan(parent.width!);
      expect(n.position.y).toBeLessThan(parent.height!);
    }
  });
  it("test_it_lays_out_if_lanes_side_by_side", async () => {
    const g = definitionToGraph({
      actions: { C: { type: "If", expression: "@true", actions: { T: { type: "Compose" } }, else: { actions: { F: { type: "Compose" } } } } },
    });
    const boxes = await layoutBoxes(g.nodes, g.edges);
    const t = boxes.get(laneId("C", "actions"))!;
    const f = boxes.get(laneId("C", "else"))!;
    expect(t.y).toBe(f.y);
    expect(t.x).not.toBe(f.x);
  });
  it("test_it_lays_out_a_200_action_definition", async () => {
    const g = definitionToGraph(bigDefinition(200));
    const nodes = await layoutGraph(g);
    expect(nodes.filter((n) => n.data.kind !== "lane").length).toBeGreaterThanOrEqual(201);
  });
});

import { compressChains } from "./layout";

describe("compressChains", () => {
  it("test_it_merges_a_straight_chain_into_its_head", () => {
    const g = definitionToGraph(bigDefinition(9));
    const c = compressChains(g.nodes, g.edges);
    expect(c.nodes.map((n) => n.id)).toEqual(["trigger::manual"]);
    expect(c.members.get("trigger::manual")).toHaveLength(10);
  });
  it("test_it_keeps_branches_and_containers_apart", () => {
    const g = definitionToGraph({
      actions: {
        A: { type: "Compose", runAfter: {} },
        B: { type: "Compose", runAfter: { A: ["Succeeded"] } },
        C: { type: "Compose", runAfter: { A: ["Succeeded"] } },
        S: { type: "Scope", actions: { X: { type: "Compose" } }, runAfter: { B: ["Succeeded"] } },
      },
    });
    const c = compressChains(g.nodes, g.edges);
    expect(c.nodes.map((n) => n.id).sort()).toEqual(["A", "B", "C", "S", "X"]);
  });
  it("test_it_places_chain_members_one_under_another", async () => {
    const g = definitionToGraph(bigDefinition(5));
    const boxes = await layoutBoxes(g.nodes, g.edges);
    const ys = ["Step_0", "Step_1", "Step_2"].map((id) => boxes.get(id)!.y);
    expect(ys[1]! - ys[0]!).toBe(ys[2]! - ys[1]!);
    expect(ys[1]! - ys[0]!).toBeGreaterThan(NODE_HEIGHT);
    expect(boxes.get("Step_1")!.x).toBe(boxes.get("Step_0")!.x);
  });
});

import { readdirSync } from "node:fs";

describe("layout of the corpus", () => {
  const files = readdirSync(CORPUS).filter((f) => f.endsWith(".json"));
  it.each(files)("test_it_lays_out_%s_with_children_inside_their_parents", async (file) => {
    const raw = JSON.parse(readFileSync(join(CORPUS, file), "utf8"));
    checkBoxes(file, await layoutGraph(definitionToGraph(raw.definition ?? raw)));
  });
  it("test_it_lays_out_a_straight_200_action_flow_without_overlaps", async () => {
    checkBoxes("big", await layoutGraph(definitionToGraph(bigDefinition(200))));
  });
});

function checkBoxes(file: string, nodes: Awaited<ReturnType<typeof layoutGraph>>) {
  const byId = new Map(nodes.map((n) => [n.id, n]));
  for (const n of nodes) {
    expect(Number.isFinite(n.position.x) && Number.isFinite(n.position.y), n.id).toBe(true);
    if (!n.parentId) continue;
    const parent = byId.get(n.parentId)!;
    expect(n.position.x + (n.width ?? 240), `${file}: ${n.id} in ${parent.id}`).toBeLessThanOrEqual(parent.width! + 0.5);
    expect(n.position.y + (n.height ?? 56), `${file}: ${n.id} in ${parent.id}`).toBeLessThanOrEqual(parent.height! + 0.5);
  }
  const siblings = new Map<string, typeof nodes>();
  for (const n of nodes) siblings.set(n.parentId ?? "", [...(siblings.get(n.parentId ?? "") ?? []), n]);
  for (const group of siblings.values()) {
    for (const a of group) {
      for (const b of group) {
        if (a.id >= b.id) continue;
        const apart =
          a.position.x + (a.width ?? 240) <= b.position.x + 0.5 ||
          b.position.x + (b.width ?? 240) <= a.position.x + 0.5 ||
          a.position.y + (a.height ?? 56) <= b.position.y + 0.5 ||
          b.position.y + (b.height ?? 56) <= a.position.y + 0.5;
        expect(apart, `${file}: ${a.id} overlaps ${b.id}`).toBe(true);
      }
    }
  }
}

describe("layout of broken definitions", () => {
  it("test_it_still_places_every_node_when_run_after_has_a_cycle", async () => {
    const g = definitionToGraph({
      actions: { A: { type: "Compose", runAfter: { B: ["Succeeded"] } }, B: { type: "Compose", runAfter: { A: ["Succeeded"] } } },
    });
    const boxes = await layoutBoxes(g.nodes, g.edges);
    expect(boxes.has("A") && boxes.has("B")).toBe(true);
  });
  it("test_it_orders_a_chain_by_flow_not_by_key_order", async () => {
    const g = definitionToGraph({
      actions: { C: { type: "Compose", runAfter: { B: ["Succeeded"] } }, A: { type: "Compose", runAfter: {} }, B: { type: "Compose", runAfter: { A: ["Succeeded"] } } },
    });
    const boxes = await layoutBoxes(g.nodes, g.edges);
    expect(boxes.get("A")!.y).toBeLessThan(boxes.get("B")!.y);
    expect(boxes.get("B")!.y).toBeLessThan(boxes.get("C")!.y);
  });
});
