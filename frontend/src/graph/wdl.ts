/**
 * Shapes of a Logic Apps workflow definition (WDL) as the designer sees it, and the
 * few helpers that walk it. The definition is the source of truth: everything on
 * the canvas is derived from it, and every edit is a function Definition -> Definition.
 */

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export type RunAfter = Record<string, string[]>;
export type ActionMap = Record<string, WdlAction>;

export interface Branch {
  actions?: ActionMap;
  [key: string]: unknown;
}

export interface WdlAction {
  type: string;
  runAfter?: RunAfter;
  actions?: ActionMap;
  else?: Branch;
  cases?: Record<string, Branch>;
  default?: Branch;
  [key: string]: unknown;
}

export interface WdlTrigger {
  type: string;
  kind?: string;
  inputs?: unknown;
  [key: string]: unknown;
}

export interface WdlDefinition {
  triggers?: Record<string, WdlTrigger>;
  actions?: ActionMap;
  [key: string]: unknown;
}

/** Where an action lives: the root, or one branch of a container action. */
export interface Slot {
  parent: string | null;
  /** `actions` (Scope/Foreach/Until/If-true), `else`, `default`, or `case:<name>`. */
  branch: string;
}

export const ROOT: Slot = { parent: null, branch: "actions" };

export const CONTAINER_TYPES = new Set(["Scope", "Foreach", "Until", "If", "Switch"]);

export function isContainerType(type: string): boolean {
  return CONTAINER_TYPES.has(type);
}

export function emptyDefinition(): WdlDefinition {
  return {
    $schema:
      "https://schema.management.azure.com/providers/Microsoft.Logic/schemas/2016-06-01/workflowdefinition.json#",
    contentVersion: "1.0.0.0",
    triggers: {},
    actions: {},
    outputs: {},
  };
}

/** The branches an action of this type owns, in display order. */
export function branchesOf(action: WdlAction): string[] {
  if (action.type === "If") return ["actions", "else"];
  if (action.type === "Switch") {
    return [...Object.keys(action.cases ?? {}).map((c) => `case:${c}`), "default"];
  }
  return isContainerType(action.type) ? ["actions"] : [];
}

/** The action map of one branch of a container (undefined if it does not exist yet). */
export function branchMap(action: WdlAction, branch: string): ActionMap | undefined {
  if (branch === "actions") return action.actions;
  if (branch === "else") return action.else?.actions;
  if (branch === "default") return action.default?.actions;
  if (branch.startsWith("case:")) return action.cases?.[branch.slice(5)]?.actions;
  return undefined;
}

/** Like branchMap but creates the branch (mutates `action`, used on clones only). */
export function ensureBranchMap(action: WdlAction, branch: string): ActionMap {
  if (branch === "actions") return (action.actions ??= {});
  if (branch === "else") return ((action.else ??= {}).actions ??= {});
  if (branch === "default") return ((action.default ??= {}).actions ??= {});
  if (branch.startsWith("case:")) {
    const cases = (action.cases ??= {});
    const name = branch.slice(5);
    return ((cases[name] ??= { case: name }).actions ??= {});
  }
  throw new Error(`Unknown branch "${branch}"`);
}

export interface Located {
  name: string;
  action: WdlAction;
  /** The map holding the action (a live reference into the definition). */
  map: ActionMap;
  slot: Slot;
}

/** Every action in the definition, depth first, in definition order. */
export function* walkActions(def: WdlDefinition): Generator<Located> {
  yield* walkMap(def.actions ?? {}, ROOT);
}

function* walkMap(map: ActionMap, slot: Slot): Generator<Located> {
  for (const [name, action] of Object.entries(map)) {
    yield { name, action, map, slot };
    for (const branch of branchesOf(action)) {
      const inner = branchMap(action, branch);
      if (inner) yield* walkMap(inner, { parent: name, branch });
    }
  }
}

export function findAction(def: WdlDefinition, name: string): Located | undefined {
  for (const located of walkActions(def)) if (located.name === name) return located;
  return undefined;
}

export function allActionNames(def: WdlDefinition): Set<string> {
  const names = new Set<string>();
  for (const { name } of walkActions(def)) names.add(name);
  return names;
}

/** The action map of a slot in `def` (creating the branch when asked to). */
export function slotMap(def: WdlDefinition, slot: Slot, create = false): ActionMap | undefined {
  if (slot.parent === null) return create ? (def.actions ??= {}) : def.actions;
  const owner = findAction(def, slot.parent);
  if (!owner) throw new Error(`No action named "${slot.parent}"`);
  return create ? ensureBranchMap(owner.action, slot.branch) : branchMap(owner.action, slot.branch);
}

export function clone<T>(value: T): T {
  return structuredClone(value);
}

/** Accept either a bare definition or the Standard `{definition, kind}` wrapper. */
export function unwrapDefinition(value: unknown): WdlDefinition {
  if (value && typeof value === "object" && "definition" in value) {
    return (value as { definition: WdlDefinition }).definition;
  }
  return (value ?? {}) as WdlDefinition;
}

export function isSucceededOnly(statuses: string[]): boolean {
  return statuses.length === 1 && statuses[0]?.toLowerCase() === "succeeded";
}
