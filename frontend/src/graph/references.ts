/**
 * Expression references to actions: `body('X')`, `outputs('X')`, `actions('X')`,
 * `items('X')`, `result('X')` and friends. Renaming an action must rewrite them in
 * every string of the definition; the designer also lists them to offer the outputs
 * of earlier actions in autocomplete.
 */
import type { WdlDefinition } from "./wdl";

export const REFERENCE_FUNCTIONS = [
  "body",
  "outputs",
  "actions",
  "items",
  "result",
  "iterationIndexes",
  "actionBody",
  "actionOutputs",
] as const;

const FN = REFERENCE_FUNCTIONS.join("|");

function quote(name: string): string {
  return name.replace(/'/g, "''");
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** Rewrite references to each old name in one expression string. */
export function renameInString(text: string, renames: Map<string, string>): string {
  if (!text.includes("@")) return text;
  let out = text;
  for (const [oldName, newName] of renames) {
    const pattern = new RegExp(`\\b(${FN})(\\s*\\(\\s*)'${escapeRegExp(quote(oldName))}'(\\s*\\))`, "g");
    out = out.replace(pattern, (_m, fn: string, open: string, close: string) => `${fn}${open}'${quote(newName)}'${close}`);
  }
  return out;
}

function renameValue(value: unknown, renames: Map<string, string>): unknown {
  if (typeof value === "string") return renameInString(value, renames);
  if (Array.isArray(value)) return value.map((v) => renameValue(v, renames));
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = renameValue(v, renames);
    return out;
  }
  return value;
}

/** A copy of `def` with expression references renamed (object keys are untouched). */
export function renameReferences(def: WdlDefinition, renames: Map<string, string>): WdlDefinition {
  return renameValue(def, renames) as WdlDefinition;
}

/** Names of actions referenced by expressions inside `value`. */
export function referencedActions(value: unknown): Set<string> {
  const found = new Set<string>();
  const pattern = new RegExp(`\\b(?:${FN})\\s*\\(\\s*'((?:[^']|'')*)'\\s*\\)`, "g");
  const visit = (v: unknown): void => {
    if (typeof v === "string") for (const m of v.matchAll(pattern)) found.add((m[1] as string).replace(/''/g, "'"));
    else if (Array.isArray(v)) v.forEach(visit);
    else if (v && typeof v === "object") Object.values(v).forEach(visit);
  };
  visit(value);
  return found;
}
