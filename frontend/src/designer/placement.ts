/**
 * Where a new action goes, decided purely from the definition and what the user
 * pointed at: an edge's "+", a lane's or container's "+", a node it was dropped on,
 * the selected node, or nothing (end of the workflow). Returns the new definition.
 */
import { addAction, appendToSlot, insertOnEdge, setTrigger, uniqueName } from "../graph/edits";
import { laneId, TRIGGER_PREFIX } from "../graph/mapping";
import { allActionNames, findAction, ROOT, type Slot, type WdlAction, type WdlDefinition, type WdlTrigger } from "../graph/wdl";

export type Target =
  | { kind: "edge"; source: string | null; target: string }
  | { kind: "slot"; slot: Slot }
  | { kind: "node"; id: string }
  | { kind: "none" };

export interface Placed {
  definition: WdlDefinition;
  /** Canvas id of the new node (to select it). */
  id: string;
}

export function placeTrigger(def: WdlDefinition, base: string, trigger: WdlTrigger): Placed {
  const name = Object.keys(def.triggers ?? {})[0] ?? base;
  return { definition: setTrigger(def, name, trigger), id: `${TRIGGER_PREFIX}${name}` };
}

export function placeAction(def: WdlDefinition, base: string, action: WdlAction, target: Target): Placed {
  const name = uniqueName(allActionNames(def), base);
  return { definition: place(def, name, action, target), id: name };
}

function place(def: WdlDefinition, name: string, action: WdlAction, target: Target): WdlDefinition {
  if (target.kind === "edge") return insertOnEdge(def, target.source, target.target, name, action);
  if (target.kind === "slot") return appendToSlot(def, target.slot, name, action);
  if (target.kind === "node") return placeOnNode(def, name, action, target.id);
  return appendToSlot(def, ROOT, name, action);
}

/** Parse a lane id (`Owner::branch`) back into a slot. */
export function laneSlot(id: string): Slot | null {
  const i = id.indexOf("::");
  if (i < 0 || id.startsWith(TRIGGER_PREFIX)) return null;
  return { parent: id.slice(0, i), branch: id.slice(i + 2) };
}

function placeOnNode(def: WdlDefinition, name: string, action: WdlAction, id: string): WdlDefinition {
  if (id.startsWith(TRIGGER_PREFIX)) {
    const firsts = Object.entries(def.actions ?? {}).filter(([, a]) => !Object.keys(a.runAfter ?? {}).length);
    if (firsts.length === 1) return insertOnEdge(def, null, firsts[0]?.[0] as string, name, action);
    return addAction(def, name, action, { slot: ROOT });
  }
  const lane = laneSlot(id);
  if (lane && laneId(lane.parent as string, lane.branch) === id) return appendToSlot(def, lane, name, action);
  const found = findAction(def, id);
  if (!found) return appendToSlot(def, ROOT, name, action);
  if (["Scope", "Foreach", "Until"].includes(found.action.type)) {
    return appendToSlot(def, { parent: id, branch: "actions" }, name, action);
  }
  const successors = Object.entries(found.map).filter(([, a]) => a.runAfter && id in a.runAfter);
  if (successors.length === 1) return insertOnEdge(def, id, successors[0]?.[0] as string, name, action);
  return addAction(def, name, action, { after: id });
}
