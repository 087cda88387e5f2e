import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { checkTemplate, isTemplate, segments } from "./parser";

const EXAMPLES = JSON.parse(
  readFileSync(join(__dirname, "../../../tests/corpus/wdl-function-examples.json"), "utf8"),
) as { expression: string; expected?: unknown; error?: unknown }[];

function strings(value: unknown, out: string[] = []): string[] {
  if (typeof value === "string") out.push(value);
  else if (Array.isArray(value)) value.forEach((v) => strings(v, out));
  else if (value && typeof value === "object") Object.values(value).forEach((v) => strings(v, out));
  return out;
}

describe("checkTemplate", () => {
  it("test_it_accepts_every_worked_example_expression", () => {
    for (const ex of EXAMPLES) {
      const errors = checkTemplate(ex.expression).diagnostics.filter((d) => d.severity === "error");
      expect(errors, ex.expression).toEqual([]);
    }
  });
  it("test_it_accepts_every_expression_in_the_corpus_definitions", () => {
    const dir = join(__dirname, "../../../tests/corpus/logicapps");
    for (const f of readdirSync(dir).filter((n) => n.endsWith(".json"))) {
      for (const s of strings(JSON.parse(readFileSync(join(dir, f), "utf8")))) {
        const errors = checkTemplate(s).diagnostics.filter((d) => d.severity === "error");
        expect(errors, `${f}: ${s}`).toEqual([]);
      }
    }
  });
  it("test_it_reports_an_unclosed_call_with_its_position", () => {
    const [d] = checkTemplate("@concat('a', 'b'").diagnostics;
    expect(d?.message).toMatch(/Expected "\)"/);
    expect(d?.from).toBe(16);
  });
  it("test_it_reports_double_quotes", () => {
    expect(checkTemplate('@concat("a")').diagnostics[0]?.message).toMatch(/single quotes/);
  });
  it("test_it_warns_about_unknown_functions", () => {
    const [d] = checkTemplate("@nope(1)").diagnostics;
    expect(d).toMatchObject({ severity: "warning", from: 1, to: 5 });
  });
  it("test_it_checks_each_interpolation", () => {
    const r = checkTemplate("Hi @{body('A')?['x']} and @{add(1,}");
    expect(r.calls.map((c) => c.name)).toContain("body");
    expect(r.diagnostics.filter((d) => d.severity === "error")).toHaveLength(1);
  });
  it("test_it_reports_an_unclosed_interpolation", () => {
    expect(checkTemplate("a @{add(1,2)").diagnostics[0]?.message).toMatch(/Unclosed/);
  });
});

describe("template detection", () => {
  it("test_it_knows_templates_from_literals", () => {
    expect(isTemplate("@x()")).toBe(true);
    expect(isTemplate(" @")).toBe(false);
    expect(isTemplate("@@x")).toBe(false);
    expect(isTemplate("a @{x()}")).toBe(true);
    expect(isTemplate("plain")).toBe(false);
  });
  it("test_it_ends_an_interpolation_at_the_first_brace_outside_a_literal", () => {
    expect(segments("@{concat('}', 'x')}!").segments).toEqual([{ from: 2, to: 18 }]);
  });
});
