import { describe, expect, it } from "vitest";
import { getIn, setIn, upstreamOf } from "./upstream";
import type { WdlDefinition } from "./wdl";

const def: WdlDefinition = {
  actions: {
    A: { type: "Compose", runAfter: {} },
    B: { type: "Compose", runAfter: { A: ["Succeeded"] } },
    Side: { type: "Compose", runAfter: {} },
    S: { type: "Scope", actions: { Deep: { type: "Http" } }, runAfter: { B: ["Succeeded"] } },
    L: {
      type: "Foreach",
      foreach: "@body('A')",
      runAfter: { S: ["Succeeded"] },
      actions: { First: { type: "Compose", runAfter: {} }, Second: { type: "Compose", runAfter: { First: ["Succeeded"] } } },
    },
  },
};

describe("upstreamOf", () => {
  it("test_it_lists_transitive_predecessors_and_their_nested_actions", () => {
    const names = upstreamOf(def, "L").actions.map((a) => a.name);
    expect(names).toEqual(["A", "B", "S", "Deep"]);
  });
  it("test_it_climbs_out_of_containers_and_reports_loops", () => {
    const up = upstreamOf(def, "Second");
    expect(up.actions.map((a) => a.name)).toEqual(["First", "A", "B", "S", "Deep"]);
    expect(up.loops).toEqual(["L"]);
  });
  it("test_it_excludes_parallel_branches", () => {
    expect(upstreamOf(def, "B").actions.map((a) => a.name)).not.toContain("Side");
  });
});

describe("getIn / setIn", () => {
  it("test_it_sets_nested_paths_without_mutating", () => {
    const v = { inputs: { a: 1, list: [{ x: 1 }] } };
    const out = setIn(v, ["inputs", "list", "0", "x"], 2);
    expect(getIn(out, ["inputs", "list", "0", "x"])).toBe(2);
    expect(v.inputs.list[0]?.x).toBe(1);
    expect(getIn(setIn({}, ["a", "b"], 3), ["a", "b"])).toBe(3);
  });
});
