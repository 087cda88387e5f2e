/**
 * Graph edits as small pure functions Definition -> Definition.
 *
 * Each edit clones the definition and changes the clone, so callers can keep the old
 * value for undo. Edits work on the definition (not on canvas nodes) because the
 * definition is the source of truth; the canvas is re-derived after every edit.
 * Errors (unknown action, cycle, cross-scope runAfter) throw `EditError` with a
 * message fit for the UI.
 */
import { renameReferences } from "./references";
import {
  type ActionMap,
  allActionNames,
  branchesOf,
  branchMap,
  clone,
  findAction,
  type Located,
  ROOT,
  type Slot,
  slotMap,
  type WdlAction,
  type WdlDefinition,
  type WdlTrigger,
  walkActions,
} from "./wdl";

export class EditError extends Error {}

const SUCCEEDED = ["Succeeded"];

function locate(def: WdlDefinition, name: string): Located {
  const found = findAction(def, name);
  if (!found) throw new EditError(`No action named "${name}"`);
  return found;
}

function sameSlot(a: Slot, b: Slot): boolean {
  return a.parent === b.parent && a.branch === b.branch;
}

/** `base`, or `base_2`, `base_3`… — the first name not used in `taken`. */
export function uniqueName(taken: Set<string>, base: string): string {
  const clean = base.trim().replace(/\s+/g, "_") || "Action";
  if (!taken.has(clean)) return clean;
  const stem = clean.replace(/_\d+$/, "");
  for (let i = 2; ; i++) if (!taken.has(`${stem}_${i}`)) return `${stem}_${i}`;
}

function checkNewName(def: WdlDefinition, name: string) {
  if (!name.trim()) throw new EditError("An action needs a name");
  if (name.length > 80) throw new EditError("Action names are at most 80 characters");
  if (allActionNames(def).has(name)) throw new EditError(`An action named "${name}" already exists`);
}

/** Add an action into a slot; it runs after `after` (a sibling) or first in the slot. */
export function addAction(
  def: WdlDefinition,
  name: string,
  action: WdlAction,
  opts: { slot?: Slot; after?: string | null; statuses?: string[] } = {},
): WdlDefinition {
  checkNewName(def, name);
  const out = clone(def);
  let slot = opts.slot ?? ROOT;
  if (opts.after) slot = locate(out, opts.after).slot;
  const map = slotMap(out, slot, true) as ActionMap;
  const runAfter = opts.after ? { [opts.after]: [...(opts.statuses ?? SUCCEEDED)] } : {};
  map[name] = { ...action, runAfter };
  return out;
}

/** Insert an action on the edge source -> target: target now runs after the new action. */
export function insertOnEdge(
  def: WdlDefinition,
  source: string | null,
  target: string,
  name: string,
  action: WdlAction,
): WdlDefinition {
  checkNewName(def, name);
  const out = clone(def);
  const tgt = locate(out, target);
  const statuses = source ? (tgt.action.runAfter?.[source] ?? SUCCEEDED) : SUCCEEDED;
  tgt.map[name] = { ...action, runAfter: source ? { [source]: [...statuses] } : {} };
  const rest = Object.entries(tgt.action.runAfter ?? {}).filter(([k]) => k !== source);
  tgt.action.runAfter = { [name]: [...SUCCEEDED], ...Object.fromEntries(rest) };
  return out;
}

/** Delete an action (and everything inside it); its successors inherit its predecessors. */
export function deleteAction(def: WdlDefinition, name: string): WdlDefinition {
  const out = clone(def);
  const { map, action } = locate(out, name);
  delete map[name];
  for (const sibling of Object.values(map)) {
    const ra = sibling.runAfter;
    if (!ra || !(name in ra)) continue;
    const next: Record<string, string[]> = {};
    for (const [k, v] of Object.entries(ra)) {
      if (k !== name) next[k] = v;
      else for (const [p, s] of Object.entries(action.runAfter ?? {})) next[p] ??= [...s];
    }
    sibling.runAfter = next;
  }
  return out;
}

/** Rename an action; runAfter keys and expression references follow. */
export function renameAction(def: WdlDefinition, oldName: string, newName: string): WdlDefinition {
  if (oldName === newName) return def;
  checkNewName(def, newName);
  const out = clone(def);
  const { map } = locate(out, oldName);
  const entries = Object.entries(map).map(([k, v]) => [k === oldName ? newName : k, v] as const);
  for (const k of Object.keys(map)) delete map[k];
  for (const [k, v] of entries) map[k] = v;
  for (const { action } of walkActions(out)) {
    if (action.runAfter && oldName in action.runAfter) {
      action.runAfter = Object.fromEntries(
        Object.entries(action.runAfter).map(([k, v]) => [k === oldName ? newName : k, v]),
      );
    }
  }
  return renameReferences(out, new Map([[oldName, newName]]));
}

function assertNoCycle(map: ActionMap, start: string) {
  const seen = new Set<string>();
  const visit = (name: string, trail: string[]): void => {
    if (trail.includes(name)) throw new EditError(`That would make a cycle: ${[...trail, name].join(" -> ")}`);
    if (seen.has(name)) return;
    seen.add(name);
    for (const pred of Object.keys(map[name]?.runAfter ?? {})) visit(pred, [...trail, name]);
  };
  visit(start, []);
}

/** Make `target` run after `source` (siblings only) with the given statuses. */
export function connect(
  def: WdlDefinition,
  source: string,
  target: string,
  statuses: string[] = SUCCEEDED,
): WdlDefinition {
  if (source === target) throw new EditError("An action cannot run after itself");
  const out = clone(def);
  const src = locate(out, source);
  const tgt = locate(out, target);
  if (!sameSlot(src.slot, tgt.slot)) {
    throw new EditError("runAfter can only name actions in the same scope");
  }
  tgt.action.runAfter = { ...(tgt.action.runAfter ?? {}), [source]: [...statuses] };
  assertNoCycle(tgt.map, target);
  return out;
}

export function disconnect(def: WdlDefinition, source: string, target: string): WdlDefinition {
  const out = clone(def);
  const tgt = locate(out, target);
  const ra = { ...(tgt.action.runAfter ?? {}) };
  delete ra[source];
  tgt.action.runAfter = ra;
  return out;
}

/** Move the edge oldSource -> target to newSource -> target, keeping its statuses. */
export function reconnect(
  def: WdlDefinition,
  oldSource: string,
  target: string,
  newSource: string,
): WdlDefinition {
  const statuses = locate(def, target).action.runAfter?.[oldSource] ?? SUCCEEDED;
  return connect(disconnect(def, oldSource, target), newSource, target, statuses);
}

export const RUN_AFTER_STATUSES = ["Succeeded", "Failed", "Skipped", "TimedOut"] as const;

export function setEdgeStatuses(
  def: WdlDefinition,
  source: string,
  target: string,
  statuses: string[],
): WdlDefinition {
  if (statuses.length === 0) throw new EditError("Choose at least one status");
  const tgt = locate(def, target);
  if (!tgt.action.runAfter || !(source in tgt.action.runAfter)) {
    throw new EditError(`"${target}" does not run after "${source}"`);
  }
  const out = clone(def);
  const located = locate(out, target);
  (located.action.runAfter as Record<string, string[]>)[source] = [...statuses];
  return out;
}

/** Replace one action's body (from the panel or settings); runAfter and children are kept. */
export function updateAction(def: WdlDefinition, name: string, patch: Partial<WdlAction>): WdlDefinition {
  const out = clone(def);
  const { map, action } = locate(out, name);
  map[name] = { ...action, ...clone(patch) } as WdlAction;
  return out;
}

// ------------------------------------------------------------------ copy / paste

export interface Clipboard {
  sluice: "action";
  name: string;
  action: WdlAction;
}

export function copyAction(def: WdlDefinition, name: string): string {
  const { action } = locate(def, name);
  const payload: Clipboard = { sluice: "action", name, action: clone(action) };
  return JSON.stringify(payload);
}

export function parseClipboard(text: string): Clipboard {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new EditError("The clipboard does not hold a copied action");
  }
  const c = value as Partial<Clipboard>;
  if (c?.sluice !== "action" || typeof c.name !== "string" || typeof c.action?.type !== "string") {
    throw new EditError("The clipboard does not hold a copied action");
  }
  return c as Clipboard;
}

/** Names inside an action (the action itself first), depth first. */
function namesWithin(name: string, action: WdlAction): string[] {
  const out = [name];
  for (const branch of branchesOf(action)) {
    for (const [inner, a] of Object.entries(branchMap(action, branch) ?? {})) out.push(...namesWithin(inner, a));
  }
  return out;
}

/** Paste a copied action (a whole scope too); every name inside is made unique. */
export function pasteAction(
  def: WdlDefinition,
  text: string,
  opts: { slot?: Slot; after?: string | null } = {},
): { definition: WdlDefinition; name: string } {
  const { name, action } = parseClipboard(text);
  const taken = allActionNames(def);
  const renames = new Map<string, string>();
  for (const old of namesWithin(name, action)) {
    const fresh = uniqueName(taken, old);
    taken.add(fresh);
    renames.set(old, fresh);
  }
  const wrapper: WdlDefinition = { actions: { [name]: clone(action) } };
  const renamed = renameAll(wrapper, renames);
  const newName = renames.get(name) as string;
  const body = renamed.actions?.[newName] as WdlAction;
  return { definition: addAction(def, newName, body, opts), name: newName };
}

function renameAll(def: WdlDefinition, renames: Map<string, string>): WdlDefinition {
  const out = clone(def);
  const rename = (map: ActionMap) => {
    const entries = Object.entries(map);
    for (const k of Object.keys(map)) delete map[k];
    for (const [k, v] of entries) {
      if (v.runAfter) {
        v.runAfter = Object.fromEntries(Object.entries(v.runAfter).map(([p, s]) => [renames.get(p) ?? p, s]));
      }
      for (const branch of branchesOf(v)) {
        const inner = branchMap(v, branch);
        if (inner) rename(inner);
      }
      map[renames.get(k) ?? k] = v;
    }
  };
  rename(out.actions ?? {});
  return renameReferences(out, renames);
}

// ------------------------------------------------------------------ triggers & slots

/** Replace the workflow's trigger(s) with one trigger. */
export function setTrigger(def: WdlDefinition, name: string, trigger: WdlTrigger): WdlDefinition {
  if (!name.trim()) throw new EditError("A trigger needs a name");
  const out = clone(def);
  out.triggers = { [name]: clone(trigger) };
  return out;
}

export function updateTrigger(def: WdlDefinition, name: string, patch: Record<string, unknown>): WdlDefinition {
  const out = clone(def);
  const current = out.triggers?.[name];
  if (!current) throw new EditError(`No trigger named "${name}"`);
  (out.triggers as Record<string, unknown>)[name] = { ...current, ...clone(patch) };
  return out;
}

/** The action a new one should run after to land at the end of a slot (null if empty). */
export function endOfSlot(def: WdlDefinition, slot: Slot): string | null {
  const map = slotMap(def, slot) ?? {};
  const names = Object.keys(map);
  const hasSuccessor = new Set(names.flatMap((n) => Object.keys(map[n]?.runAfter ?? {})));
  const leaves = names.filter((n) => !hasSuccessor.has(n));
  return leaves[leaves.length - 1] ?? null;
}

/** Add at the end of a slot (after its last leaf). */
export function appendToSlot(def: WdlDefinition, slot: Slot, name: string, action: WdlAction): WdlDefinition {
  return addAction(def, name, action, { slot, after: endOfSlot(def, slot) });
}

/** The action each validation problem belongs to (deepest `/actions/<name>` in its pointer). */
export function actionOfPointer(pointer: string): string | null {
  const parts = pointer.split("/").slice(1).map((p) => p.replace(/~1/g, "/").replace(/~0/g, "~"));
  let name: string | null = null;
  for (let i = 0; i < parts.length - 1; i++) if (parts[i] === "actions") name = parts[i + 1] as string;
  if (name === null && parts[0] === "triggers" && parts[1]) return `trigger::${parts[1]}`;
  return name;
}

// ------------------------------------------------------------------ switch cases

function switchOf(def: WdlDefinition, name: string): { out: WdlDefinition; action: WdlAction } {
  const out = clone(def);
  const { action } = locate(out, name);
  if (action.type !== "Switch") throw new EditError(`"${name}" is not a Switch`);
  return { out, action };
}

/** Add a case (name made unique among the cases) with its match value. */
export function addSwitchCase(def: WdlDefinition, name: string, value: unknown = ""): { definition: WdlDefinition; caseName: string } {
  const { out, action } = switchOf(def, name);
  const cases = (action.cases ??= {});
  const caseName = uniqueName(new Set(Object.keys(cases)), `Case_${Object.keys(cases).length + 1}`);
  cases[caseName] = { case: value, actions: {} };
  return { definition: out, caseName };
}

export function setSwitchCaseValue(def: WdlDefinition, name: string, caseName: string, value: unknown): WdlDefinition {
  const { out, action } = switchOf(def, name);
  const c = action.cases?.[caseName];
  if (!c) throw new EditError(`No case "${caseName}" in "${name}"`);
  c.case = value;
  return out;
}

/** Rename a case, keeping its position. */
export function renameSwitchCase(def: WdlDefinition, name: string, caseName: string, newName: string): WdlDefinition {
  if (caseName === newName) return def;
  const { out, action } = switchOf(def, name);
  const cases = action.cases ?? {};
  if (!newName.trim()) throw new EditError("A case needs a name");
  if (newName in cases) throw new EditError(`A case named "${newName}" already exists`);
  if (!(caseName in cases)) throw new EditError(`No case "${caseName}" in "${name}"`);
  action.cases = Object.fromEntries(Object.entries(cases).map(([k, v]) => [k === caseName ? newName : k, v]));
  return out;
}

/** Delete a case and the actions in it. */
export function deleteSwitchCase(def: WdlDefinition, name: string, caseName: string): WdlDefinition {
  const { out, action } = switchOf(def, name);
  if (!action.cases?.[caseName]) throw new EditError(`No case "${caseName}" in "${name}"`);
  delete action.cases[caseName];
  return out;
}
