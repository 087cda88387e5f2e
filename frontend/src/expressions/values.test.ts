import { describe, expect, it } from "vitest";
import { fromText, toText } from "./values";

describe("field values", () => {
  it("test_it_keeps_strings_as_strings", () => {
    expect(fromText("123", "")).toBe("123");
    expect(fromText("@add(1,2)", 5)).toBe("@add(1,2)");
  });
  it("test_it_keeps_numbers_and_objects_typed", () => {
    expect(fromText("201", 200)).toBe(201);
    expect(fromText('{"a":1}', {})).toEqual({ a: 1 });
    expect(toText({ a: 1 })).toBe('{"a":1}');
    expect(toText(undefined)).toBe("");
  });
});
