/**
 * What an expression in action X may refer to: the trigger, the actions that have
 * surely run before X (transitive runAfter predecessors in X's scope and in every
 * enclosing scope, with everything nested inside them), and the enclosing loops
 * (for `items('Loop')`). Autocomplete offers exactly these.
 */
import { branchesOf, branchMap, findAction, type WdlAction, type WdlDefinition } from "./wdl";

export interface Upstream {
  actions: { name: string; type: string }[];
  loops: string[];
}

export function upstreamOf(def: WdlDefinition, name: string): Upstream {
  const actions: { name: string; type: string }[] = [];
  const loops: string[] = [];
  let current = findAction(def, name);
  while (current) {
    for (const pred of predecessors(current.map, current.name)) {
      const action = current.map[pred] as WdlAction;
      actions.push({ name: pred, type: action.type });
      for (const inner of descendants(action)) actions.push(inner);
    }
    const parent = current.slot.parent;
    current = parent === null ? undefined : findAction(def, parent);
    if (current && (current.action.type === "Foreach" || current.action.type === "Until")) loops.push(current.name);
  }
  return { actions, loops };
}

function predecessors(map: Record<string, WdlAction>, start: string): string[] {
  const seen = new Set<string>();
  const stack = Object.keys(map[start]?.runAfter ?? {});
  while (stack.length) {
    const n = stack.pop() as string;
    if (seen.has(n) || !(n in map)) continue;
    seen.add(n);
    stack.push(...Object.keys(map[n]?.runAfter ?? {}));
  }
  return Object.keys(map).filter((k) => seen.has(k));
}

function descendants(action: WdlAction): { name: string; type: string }[] {
  const out: { name: string; type: string }[] = [];
  for (const branch of branchesOf(action)) {
    for (const [n, a] of Object.entries(branchMap(action, branch) ?? {})) out.push({ name: n, type: a.type }, ...descendants(a));
  }
  return out;
}

/** Read a value at a path of keys (array indexes as strings). */
export function getIn(value: unknown, path: string[]): unknown {
  let v: unknown = value;
  for (const key of path) {
    if (v === null || typeof v !== "object") return undefined;
    v = (v as Record<string, unknown>)[key];
  }
  return v;
}

/** A copy of `value` with `path` set to `next` (creating objects on the way). */
export function setIn(value: unknown, path: string[], next: unknown): unknown {
  if (path.length === 0) return next;
  const [key, ...rest] = path as [string, ...string[]];
  const base = value !== null && typeof value === "object" ? value : {};
  if (Array.isArray(base)) {
    const copy = [...base];
    copy[Number(key)] = setIn(copy[Number(key)], rest, next);
    return copy;
  }
  return { ...(base as Record<string, unknown>), [key]: setIn((base as Record<string, unknown>)[key], rest, next) };
}
