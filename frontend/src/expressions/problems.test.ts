import { describe, expect, it } from "vitest";
import { expressionProblems, problemsByNode } from "./problems";

describe("expression problems", () => {
  it("test_it_points_at_the_broken_expression_and_pins_it_to_its_action", () => {
    const def = { actions: { S: { type: "Scope", actions: { "A/B": { type: "Compose", inputs: { x: "@concat('a'" } } } } } };
    const problems = expressionProblems(def);
    expect(problems).toHaveLength(1);
    expect(problems[0]?.pointer).toBe("/actions/S/actions/A~1B/inputs/x");
    expect(problemsByNode(problems).get("A/B")).toHaveLength(1);
  });
});
