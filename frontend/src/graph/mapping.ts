/**
 * definition <-> canvas graph.
 *
 * The canvas is derived from the definition, never stored: triggers and actions become
 * nodes, `runAfter` entries become edges (labelled when the statuses are not just
 * Succeeded), Foreach/Until/Scope become containers whose children carry `parentId`,
 * and If/Switch become containers holding one "lane" node per branch (true/false, each
 * case, default). Positions are left at 0,0 — the elk layout step fills them in.
 *
 * `graphToDefinition` inverts the mapping exactly, key order included: each node keeps
 * its action with the nested action maps emptied (so key positions survive), and
 * `meta` keeps the definition's other top-level members. Corpus round-trip tests hold
 * this to "identical".
 */
import type { Edge, Node } from "@xyflow/react";
import {
  type ActionMap,
  type Branch,
  branchesOf,
  branchMap,
  isContainerType,
  isSucceededOnly,
  type RunAfter,
  type WdlAction,
  type WdlDefinition,
  type WdlTrigger,
} from "./wdl";

export type NodeKind = "trigger" | "action" | "container" | "lane";

export interface NodeData extends Record<string, unknown> {
  kind: NodeKind;
  /** Action/trigger name; for a lane, the branch label. */
  name: string;
  type: string;
  /** The action with runAfter and nested action maps emptied (actions, containers). */
  action?: WdlAction;
  trigger?: WdlTrigger;
  /** For lanes: the owning container and the branch key (`actions`, `else`, `case:X`, `default`). */
  owner?: string;
  branch?: string;
}

export interface EdgeData extends Record<string, unknown> {
  /** `runAfter` edges round-trip; `trigger` edges are drawn only. */
  kind: "runAfter" | "trigger";
  statuses: string[];
}

export type FlowNode = Node<NodeData>;
export type FlowEdge = Edge<EdgeData>;

export interface WorkflowGraph {
  nodes: FlowNode[];
  edges: FlowEdge[];
  /** Top-level members other than triggers/actions, with the original key order. */
  meta: { keys: string[]; rest: Record<string, unknown> };
}

export const TRIGGER_PREFIX = "trigger::";

export function triggerNodeId(name: string): string {
  return `${TRIGGER_PREFIX}${name}`;
}

export function laneId(owner: string, branch: string): string {
  return `${owner}::${branch}`;
}

export function laneLabel(action: WdlAction, branch: string): string {
  if (action.type === "If") return branch === "else" ? "False" : "True";
  if (branch === "default") return "Default";
  return branch.startsWith("case:") ? branch.slice(5) : branch;
}

export function edgeId(source: string, target: string): string {
  return `${source}->${target}`;
}

export function definitionToGraph(def: WdlDefinition): WorkflowGraph {
  const nodes: FlowNode[] = [];
  const edges: FlowEdge[] = [];
  const triggerIds = Object.entries(def.triggers ?? {}).map(([name, trigger]) => {
    const id = triggerNodeId(name);
    nodes.push(node(id, { kind: "trigger", name, type: trigger.type, trigger }));
    return id;
  });
  addActions(def.actions ?? {}, undefined, nodes, edges);
  addTriggerEdges(def.actions ?? {}, triggerIds[0], edges);
  const rest: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(def)) if (k !== "triggers" && k !== "actions") rest[k] = v;
  return { nodes, edges, meta: { keys: Object.keys(def), rest } };
}

function node(id: string, data: NodeData, parentId?: string): FlowNode {
  const n: FlowNode = { id, type: data.kind, position: { x: 0, y: 0 }, data };
  if (parentId !== undefined) {
    n.parentId = parentId;
    n.extent = "parent";
  }
  return n;
}

function addActions(map: ActionMap, parentId: string | undefined, nodes: FlowNode[], edges: FlowEdge[]) {
  for (const [name, action] of Object.entries(map)) {
    const kind = isContainerType(action.type) ? "container" : "action";
    nodes.push(node(name, { kind, name, type: action.type, action: stripAction(action) }, parentId));
    for (const [source, statuses] of Object.entries(action.runAfter ?? {})) {
      edges.push(runAfterEdge(source, name, statuses));
    }
    addBranches(name, action, nodes, edges);
  }
}

function addBranches(name: string, action: WdlAction, nodes: FlowNode[], edges: FlowEdge[]) {
  const laned = action.type === "If" || action.type === "Switch";
  for (const branch of branchesOf(action)) {
    let parent = name;
    if (laned) {
      parent = laneId(name, branch);
      const label = laneLabel(action, branch);
      nodes.push(node(parent, { kind: "lane", name: label, type: "Lane", owner: name, branch }, name));
    }
    addActions(branchMap(action, branch) ?? {}, parent, nodes, edges);
  }
}

export function runAfterEdge(source: string, target: string, statuses: string[]): FlowEdge {
  const edge: FlowEdge = {
    id: edgeId(source, target),
    source,
    target,
    type: "runAfter",
    data: { kind: "runAfter", statuses: [...statuses] },
  };
  if (!isSucceededOnly(statuses)) edge.label = statuses.join(", ");
  return edge;
}

function addTriggerEdges(actions: ActionMap, triggerId: string | undefined, edges: FlowEdge[]) {
  if (triggerId === undefined) return;
  for (const [name, action] of Object.entries(actions)) {
    if (Object.keys(action.runAfter ?? {}).length > 0) continue;
    edges.push({
      id: edgeId(triggerId, name),
      source: triggerId,
      target: name,
      type: "runAfter",
      data: { kind: "trigger", statuses: [] },
    });
  }
}

/** A shallow copy with runAfter and nested action maps emptied (positions kept). */
function stripAction(action: WdlAction): WdlAction {
  const out: WdlAction = { ...action };
  if ("runAfter" in out) out.runAfter = {};
  if ("actions" in out) out.actions = {};
  if (out.else) out.else = emptyBranch(out.else);
  if (out.default) out.default = emptyBranch(out.default);
  if (out.cases) {
    out.cases = Object.fromEntries(Object.entries(out.cases).map(([k, b]) => [k, emptyBranch(b)]));
  }
  return out;
}

function emptyBranch(branch: Branch): Branch {
  return "actions" in branch ? { ...branch, actions: {} } : { ...branch };
}

// ---------------------------------------------------------------- graph -> definition

export function graphToDefinition(graph: WorkflowGraph): WdlDefinition {
  const children = childrenByParent(graph.nodes);
  const runAfter = runAfterByTarget(graph.edges);
  const triggers: Record<string, WdlTrigger> = {};
  for (const n of graph.nodes) {
    if (n.data.kind === "trigger" && n.data.trigger) triggers[n.data.name] = n.data.trigger;
  }
  const actions = buildMap(children.get(undefined) ?? [], children, runAfter);
  const def: WdlDefinition = {};
  const keys = [...graph.meta.keys];
  if (!keys.includes("triggers") && Object.keys(triggers).length) keys.push("triggers");
  if (!keys.includes("actions") && Object.keys(actions).length) keys.push("actions");
  for (const key of keys) {
    if (key === "triggers") def.triggers = triggers;
    else if (key === "actions") def.actions = actions;
    else def[key] = graph.meta.rest[key];
  }
  return def;
}

function childrenByParent(nodes: FlowNode[]): Map<string | undefined, FlowNode[]> {
  const out = new Map<string | undefined, FlowNode[]>();
  for (const n of nodes) {
    if (n.data.kind === "trigger") continue;
    const list = out.get(n.parentId) ?? [];
    list.push(n);
    out.set(n.parentId, list);
  }
  return out;
}

function runAfterByTarget(edges: FlowEdge[]): Map<string, RunAfter> {
  const out = new Map<string, RunAfter>();
  for (const e of edges) {
    if (e.data?.kind !== "runAfter") continue;
    const ra = out.get(e.target) ?? {};
    ra[e.source] = [...e.data.statuses];
    out.set(e.target, ra);
  }
  return out;
}

type Children = Map<string | undefined, FlowNode[]>;

function buildMap(list: FlowNode[], children: Children, runAfter: Map<string, RunAfter>): ActionMap {
  const map: ActionMap = {};
  for (const n of list) {
    if (n.data.kind === "lane" || !n.data.action) continue;
    map[n.data.name] = buildAction(n, children, runAfter);
  }
  return map;
}

function buildAction(n: FlowNode, children: Children, runAfter: Map<string, RunAfter>): WdlAction {
  const action: WdlAction = { ...(n.data.action as WdlAction) };
  const ra = runAfter.get(n.id);
  if ("runAfter" in action || ra) action.runAfter = ra ?? {};
  const kids = children.get(n.id) ?? [];
  const lanes = kids.filter((k) => k.data.kind === "lane");
  if (lanes.length === 0) {
    if ("actions" in action || kids.length) action.actions = buildMap(kids, children, runAfter);
    return action;
  }
  for (const lane of lanes) {
    const inner = buildMap(children.get(lane.id) ?? [], children, runAfter);
    setBranch(action, lane.data.branch ?? "actions", inner);
  }
  return action;
}

function setBranch(action: WdlAction, branch: string, inner: ActionMap) {
  const has = Object.keys(inner).length > 0;
  if (branch === "actions") {
    if ("actions" in action || has) action.actions = inner;
  } else if (branch === "else" || branch === "default") {
    const existing = action[branch] as Branch | undefined;
    if (existing && ("actions" in existing || has)) action[branch] = { ...existing, actions: inner };
    else if (!existing && has) action[branch] = { actions: inner };
  } else if (branch.startsWith("case:")) {
    const name = branch.slice(5);
    const cases = { ...(action.cases ?? {}) };
    const existing = cases[name] ?? { case: name };
    if ("actions" in existing || has) cases[name] = { ...existing, actions: inner };
    else cases[name] = existing;
    action.cases = cases;
  }
}
