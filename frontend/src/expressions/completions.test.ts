import { describe, expect, it } from "vitest";
import { functionCandidates, inExpression, tokenCandidates } from "./completions";

describe("completions", () => {
  it("test_it_offers_functions_with_signatures", () => {
    const concat = functionCandidates().find((c) => c.label === "concat");
    expect(concat?.detail).toMatch(/^concat\(/);
    expect(concat?.apply).toBe("concat(");
  });
  it("test_it_offers_outputs_of_earlier_actions_and_the_trigger", () => {
    const c = tokenCandidates({ actions: [{ name: "Get it", type: "Http" }], loops: ["Loop"] }, true);
    const labels = c.map((x) => x.label);
    expect(labels).toEqual(["triggerBody()", "triggerOutputs()", "items('Loop')", "body('Get it')", "outputs('Get it')"]);
  });
  it("test_it_knows_when_the_cursor_is_in_an_expression", () => {
    expect(inExpression("@conc", 5)).toBe(true);
    expect(inExpression("Hi @{bo", 7)).toBe(true);
    expect(inExpression("Hi @{body('x')} the", 19)).toBe(false);
    expect(inExpression("plain", 3)).toBe(false);
  });
});
