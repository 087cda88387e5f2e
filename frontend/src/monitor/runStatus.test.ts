import { describe, expect, it } from "vitest";
import type { ActionRunNode } from "../api/types";
import { formatDuration, runView } from "./runStatus";

const n = (name: string, path: string, status: string, children: ActionRunNode[] = [], type = "Compose"): ActionRunNode => ({
  name, path, type, status, children,
});

const tree: ActionRunNode[] = [
  n("Compose", "Compose", "Succeeded"),
  n("Loop", "Loop", "Failed", [
    { name: "Loop[0]", path: "Loop[0]", type: "Repetition", children: [n("Inner", "Loop[0]/Inner", "Succeeded")] },
    { name: "Loop[1]", path: "Loop[1]", type: "Repetition", children: [n("Inner", "Loop[1]/Inner", "Failed")] },
  ], "Foreach"),
  n("Cond", "Cond", "Succeeded", [n("Yes", "Cond/Yes", "Succeeded"), n("No", "Cond/No", "Skipped")], "If"),
];

describe("runView", () => {
  it("test_it_indexes_actions_by_name_including_nested_ones", () => {
    const v = runView(tree);
    expect(v.byName.get("Yes")?.status).toBe("Succeeded");
    expect(v.byName.get("No")?.status).toBe("Skipped");
  });
  it("test_it_shows_the_first_iteration_by_default_and_counts_iterations", () => {
    const v = runView(tree);
    expect(v.byName.get("Inner")?.status).toBe("Succeeded");
    expect(v.iterations.get("Loop")).toBe(2);
  });
  it("test_it_shows_the_chosen_iteration", () => {
    expect(runView(tree, { Loop: 1 }).byName.get("Inner")?.status).toBe("Failed");
  });
  it("test_it_formats_durations", () => {
    expect(formatDuration(12)).toBe("12 ms");
    expect(formatDuration(1500)).toBe("1.50 s");
    expect(formatDuration(125_000)).toBe("2 min 5 s");
    expect(formatDuration(null)).toBe("");
  });
});
