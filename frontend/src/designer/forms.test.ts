import { describe, expect, it } from "vitest";
import { readCondition, writeCondition } from "./forms";

describe("condition editor mapping", () => {
  it("test_it_reads_and_writes_the_first_predicate", () => {
    const expr = { and: [{ equals: ["@body('A')", 1] }, { less: [1, 2] }] };
    const p = readCondition(expr);
    expect(p).toEqual({ op: "equals", left: "@body('A')", right: 1 });
    expect(writeCondition(expr, { op: "greater", left: "x", right: 2 })).toEqual({ and: [{ greater: ["x", 2] }, { less: [1, 2] }] });
  });
  it("test_it_gives_up_on_shapes_it_cannot_edit", () => {
    expect(readCondition({ and: [{ not: [{ equals: [1, 1] }] }] })).toBeNull();
    expect(readCondition("@true")).toBeNull();
  });
});
