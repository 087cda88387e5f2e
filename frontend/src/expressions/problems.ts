/**
 * Expression syntax errors found in the browser, as validation problems with JSON
 * pointers (same shape as the server's), and the grouping of problems by canvas node.
 */
import type { Problem } from "../api/types";
import { actionOfPointer } from "../graph/edits";
import { checkTemplate } from "./parser";

function escape(key: string): string {
  return key.replace(/~/g, "~0").replace(/\//g, "~1");
}

export function expressionProblems(value: unknown, pointer = ""): Problem[] {
  if (typeof value === "string") {
    return checkTemplate(value)
      .diagnostics.filter((d) => d.severity === "error")
      .map((d) => ({ pointer, message: d.message }));
  }
  if (Array.isArray(value)) return value.flatMap((v, i) => expressionProblems(v, `${pointer}/${i}`));
  if (value && typeof value === "object") {
    return Object.entries(value).flatMap(([k, v]) => expressionProblems(v, `${pointer}/${escape(k)}`));
  }
  return [];
}

export function problemsByNode(problems: Problem[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const p of problems) {
    const id = actionOfPointer(p.pointer);
    if (id) out.set(id, [...(out.get(id) ?? []), p.message]);
  }
  return out;
}
