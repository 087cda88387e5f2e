/**
 * Autocomplete candidates for an expression field: the WDL functions (with their
 * signatures) and the outputs of the trigger and of earlier actions. Pure, so it is
 * tested without an editor.
 */
import type { Upstream } from "../graph/upstream";
import { FUNCTIONS } from "./functions";

export interface Candidate {
  label: string;
  /** Text inserted in place of the typed word. */
  apply: string;
  detail: string;
  info?: string;
  kind: "function" | "token";
}

export function functionCandidates(): Candidate[] {
  return Object.entries(FUNCTIONS).map(([name, f]) => ({
    label: name,
    apply: `${name}(`,
    detail: f.signature,
    info: f.summary,
    kind: "function",
  }));
}

function quote(name: string): string {
  return name.replace(/'/g, "''");
}

export function tokenCandidates(up: Upstream, hasTrigger: boolean): Candidate[] {
  const out: Candidate[] = [];
  if (hasTrigger) {
    out.push(
      { label: "triggerBody()", apply: "triggerBody()", detail: "Trigger body", kind: "token" },
      { label: "triggerOutputs()", apply: "triggerOutputs()", detail: "Trigger outputs (headers, body…)", kind: "token" },
    );
  }
  for (const loop of up.loops) {
    out.push({ label: `items('${loop}')`, apply: `items('${quote(loop)}')`, detail: `Current item of ${loop}`, kind: "token" });
  }
  for (const a of up.actions) {
    const q = quote(a.name);
    out.push(
      { label: `body('${a.name}')`, apply: `body('${q}')`, detail: `Body of ${a.name} (${a.type})`, kind: "token" },
      { label: `outputs('${a.name}')`, apply: `outputs('${q}')`, detail: `Outputs of ${a.name} (${a.type})`, kind: "token" },
    );
  }
  return out;
}

/** Is the cursor inside an expression (after `@` at the start, or inside `@{ … }`)? */
export function inExpression(text: string, pos: number): boolean {
  const before = text.slice(0, pos);
  if (before.startsWith("@") && !before.startsWith("@@") && !before.startsWith("@{")) return true;
  const open = before.lastIndexOf("@{");
  return open >= 0 && before.indexOf("}", open) < 0;
}
