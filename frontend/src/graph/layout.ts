/**
 * Layout as a pure async function: graph in, positioned nodes out (elkjs, layered,
 * top-down, containers laid out bottom-up around their children). Nothing about
 * positions is ever stored in the definition.
 *
 * Child positions are relative to their parent, exactly as @xyflow/react expects for
 * nodes with `parentId`. Containers and lanes get explicit width/height.
 *
 * Speed: elk's layered algorithm grows faster than linearly with the number of
 * layers, and workflows are mostly long chains. So each straight run of plain
 * actions (one in, one out) is handed to elk as one tall node and expanded
 * afterwards (`compressChains`); a 200-action flow becomes a few dozen elk nodes.
 */
import type { ELK as ElkApi, ElkExtendedEdge, ElkNode } from "elkjs/lib/elk-api";
import type { FlowEdge, FlowNode, WorkflowGraph } from "./mapping";

export const NODE_WIDTH = 240;
export const NODE_HEIGHT = 56;
const EMPTY_LANE = { width: 180, height: 64 };

const ROOT_GAP = 48;
const CONTAINER_GAP = 36;

const ROOT_OPTIONS = {
  "elk.algorithm": "layered",
  "elk.direction": "DOWN",
  "elk.layered.spacing.nodeNodeBetweenLayers": String(ROOT_GAP),
  "elk.spacing.nodeNode": "32",
  "elk.layered.nodePlacement.strategy": "BRANDES_KOEPF",
  "elk.layered.considerModelOrder.strategy": "NODES_AND_EDGES",
};
const CONTAINER_OPTIONS = {
  ...ROOT_OPTIONS,
  "elk.padding": "[top=44,left=16,bottom=16,right=16]",
  "elk.layered.spacing.nodeNodeBetweenLayers": String(CONTAINER_GAP),
};

/** Lanes sit side by side: no component packing, so they share the first layer. */
function containerOptions(n: FlowNode): Record<string, string> {
  if (n.data.kind === "lane") return { ...CONTAINER_OPTIONS, "elk.padding": "[top=32,left=12,bottom=12,right=12]" };
  const laned = n.data.type === "If" || n.data.type === "Switch";
  return laned ? { ...CONTAINER_OPTIONS, "elk.separateConnectedComponents": "false" } : CONTAINER_OPTIONS;
}

let elk: Promise<ElkApi> | undefined;

/** elk is ~1.5 MB of JavaScript: load it in its own chunk, once. */
function getElk(): Promise<ElkApi> {
  elk ??= import("elkjs/lib/elk.bundled.js").then((m) => new m.default());
  return elk;
}

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

export async function layoutGraph(graph: WorkflowGraph): Promise<FlowNode[]> {
  const boxes = await layoutBoxes(graph.nodes, graph.edges);
  return graph.nodes.map((n) => place(n, boxes.get(n.id)));
}

function place(n: FlowNode, box: Box | undefined): FlowNode {
  if (!box) return n;
  // Known sizes up front: xyflow and the minimap need not wait for measuring.
  const out: FlowNode = { ...n, position: { x: box.x, y: box.y }, width: box.width, height: box.height };
  if (n.data.kind === "container" || n.data.kind === "lane") {
    out.style = { ...(n.style ?? {}), width: box.width, height: box.height };
  }
  return out;
}

export async function layoutBoxes(nodes: FlowNode[], edges: FlowEdge[]): Promise<Map<string, Box>> {
  const chains = compressChains(nodes, edges);
  const manual = presizeAll(chains.nodes, chains.members);
  const stacks = stackSized(chains, manual);
  const root = toElk(stacks.nodes, stacks.edges, chains.members, manual, stacks.sizes);
  const laidOut = needsElk(root) ? await (await getElk()).layout(root) : placeAlone(root);
  const boxes = new Map<string, Box>();
  collect(laidOut, boxes);
  placeStacks(boxes, stacks);
  for (const m of manual.values()) for (const [id, box] of m.children) boxes.set(id, box);
  return expandChains(boxes, chains.members, nodes);
}

/** A graph that is one sized column (a straight flow) needs no layout engine at all. */
function needsElk(root: ElkNode): boolean {
  const only = root.children?.length === 1 ? root.children[0] : undefined;
  return !(only && !only.children?.length && only.width !== undefined && only.height !== undefined);
}

function placeAlone(root: ElkNode): ElkNode {
  for (const child of root.children ?? []) Object.assign(child, { x: 0, y: 0 });
  return root;
}

// ------------------------------------------------------------ stacks

interface Stacks extends Chains {
  /** Stack head -> the stack's outer size (what elk sees). */
  sizes: Map<string, { width: number; height: number }>;
  /** Member id -> its box relative to the stack's top-left. */
  offsets: Map<string, { head: string; box: Box }>;
}

/**
 * After chains and trivial containers are sized, a straight run of sized things
 * (chains and containers, one after another) is one column: stack it by hand and
 * let elk place the column. A long flow of Conditions becomes a single elk node.
 */
function stackSized(chains: Chains, manual: Map<string, Manual>): Stacks {
  const sizeOf = (n: FlowNode): { width: number; height: number } | undefined => {
    if (isPlain(n)) return { width: NODE_WIDTH, height: chainHeight(n, chains.members) };
    return manual.get(n.id);
  };
  const grouped = groupChains(chains.nodes, chains.edges, (n) => n !== undefined && sizeOf(n) !== undefined);
  const byId = new Map(chains.nodes.map((n) => [n.id, n]));
  const sizes = new Map<string, { width: number; height: number }>();
  const offsets = new Map<string, { head: string; box: Box }>();
  for (const [head, ids] of grouped.members) {
    if (ids.length < 2) continue;
    const items = ids.map((id) => ({ id, size: sizeOf(byId.get(id) as FlowNode) as { width: number; height: number } }));
    const width = Math.max(...items.map((i) => i.size.width));
    const gap = chainGap(byId.get(head) as FlowNode);
    let y = 0;
    for (const item of items) {
      offsets.set(item.id, { head, box: { x: (width - item.size.width) / 2, y, ...item.size } });
      y += item.size.height + gap;
    }
    sizes.set(head, { width, height: y - gap });
  }
  return { ...grouped, sizes, offsets };
}

function placeStacks(boxes: Map<string, Box>, stacks: Stacks) {
  const heads = new Map<string, Box>();
  for (const head of stacks.sizes.keys()) {
    const box = boxes.get(head);
    if (box) heads.set(head, box);
  }
  for (const [id, { head, box }] of stacks.offsets) {
    const outer = heads.get(head);
    if (outer) boxes.set(id, { ...box, x: outer.x + box.x, y: outer.y + box.y });
  }
}

// ------------------------------------------------------------ simple containers

interface Manual {
  width: number;
  height: number;
  children: Map<string, Box>;
}

const LANE_PAD = { top: 32, side: 12 };
const CONTAINER_PAD = { top: 44, side: 16 };
const LANE_SPACING = 32;

/**
 * Containers whose inside is trivial (one chain, or lanes that are each trivial) are
 * sized and arranged here, so elk only lays out scopes with real branching. Each
 * elk run costs tens of milliseconds; a flow with twenty Conditions would need
 * sixty of them otherwise.
 */
export function presizeAll(nodes: FlowNode[], members: Map<string, string[]>): Map<string, Manual> {
  const kids = new Map<string, FlowNode[]>();
  for (const n of nodes) if (n.parentId) kids.set(n.parentId, [...(kids.get(n.parentId) ?? []), n]);
  const out = new Map<string, Manual>();
  for (const n of nodes) if (!n.parentId) presize(n, kids, members, out);
  return out;
}

function presize(n: FlowNode, kids: Map<string, FlowNode[]>, members: Map<string, string[]>, out: Map<string, Manual>): { width: number; height: number } | undefined {
  if (n.data.kind === "action" || n.data.kind === "trigger") return { width: NODE_WIDTH, height: chainHeight(n, members) };
  const children = kids.get(n.id) ?? [];
  const sizes = children.map((c) => presize(c, kids, members, out));
  if (children.length === 0) return n.data.kind === "lane" ? EMPTY_LANE : { width: NODE_WIDTH, height: 96 };
  const pad = n.data.kind === "lane" ? LANE_PAD : CONTAINER_PAD;
  const laned = n.data.type === "If" || n.data.type === "Switch";
  if (sizes.some((x) => x === undefined) || (!laned && children.length > 1)) return undefined;
  const boxes = new Map<string, Box>();
  let x = pad.side;
  let tallest = 0;
  children.forEach((c, i) => {
    const size = sizes[i] as { width: number; height: number };
    boxes.set(c.id, { x, y: pad.top, ...size });
    x += size.width + LANE_SPACING;
    tallest = Math.max(tallest, size.height);
  });
  const manual = { width: x - LANE_SPACING + pad.side, height: pad.top + tallest + pad.side, children: boxes };
  out.set(n.id, manual);
  return manual;
}

export interface Chains {
  nodes: FlowNode[];
  edges: FlowEdge[];
  /** Head id -> the ids of the chain it stands for (head first). */
  members: Map<string, string[]>;
}

const isPlain = (n: FlowNode | undefined) => n !== undefined && (n.data.kind === "action" || n.data.kind === "trigger");

/** Merge straight runs of plain nodes (single in, single out, same scope) into their head. */
export function compressChains(nodes: FlowNode[], edges: FlowEdge[]): Chains {
  return groupChains(nodes, edges, isPlain);
}

/** Group straight runs (single in, single out, same scope) of `eligible` nodes under their first node. */
function groupChains(nodes: FlowNode[], edges: FlowEdge[], eligible: (n: FlowNode | undefined) => boolean): Chains {
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const ins = new Map<string, FlowEdge[]>();
  const outs = new Map<string, FlowEdge[]>();
  for (const e of edges) {
    if (!byId.has(e.source) || !byId.has(e.target)) continue;
    ins.set(e.target, [...(ins.get(e.target) ?? []), e]);
    outs.set(e.source, [...(outs.get(e.source) ?? []), e]);
  }
  const joins = (n: FlowNode): boolean => {
    const incoming = ins.get(n.id) ?? [];
    if (incoming.length !== 1) return false;
    const pred = byId.get((incoming[0] as FlowEdge).source);
    return eligible(n) && eligible(pred) && pred?.parentId === n.parentId && (outs.get(pred?.id ?? "") ?? []).length === 1;
  };
  const headOf = new Map<string, string>();
  const members = new Map<string, string[]>();
  // Walk each chain from its head so members are in flow order, whatever the
  // definition's key order.
  for (const n of nodes) {
    if (joins(n)) continue;
    const chain = [n.id];
    let current = n;
    for (;;) {
      const out = outs.get(current.id) ?? [];
      const next = out.length === 1 ? byId.get((out[0] as FlowEdge).target) : undefined;
      if (!next || !joins(next) || chain.includes(next.id)) break;
      chain.push(next.id);
      current = next;
    }
    for (const id of chain) headOf.set(id, n.id);
    members.set(n.id, chain);
  }
  for (const n of nodes) {
    if (headOf.has(n.id)) continue; // only nodes on a runAfter cycle get here
    headOf.set(n.id, n.id);
    members.set(n.id, [n.id]);
  }
  const kept = nodes.filter((n) => headOf.get(n.id) === n.id);
  const seen = new Set<string>();
  const keptEdges: FlowEdge[] = [];
  for (const e of edges) {
    const source = headOf.get(e.source);
    const target = headOf.get(e.target);
    if (!source || !target || source === target) continue;
    const id = `${source}->${target}`;
    if (seen.has(id)) continue;
    seen.add(id);
    keptEdges.push({ ...e, id, source, target });
  }
  return { nodes: kept, edges: keptEdges, members };
}

function chainGap(n: FlowNode): number {
  return n.parentId ? CONTAINER_GAP : ROOT_GAP;
}

function expandChains(boxes: Map<string, Box>, members: Map<string, string[]>, nodes: FlowNode[]): Map<string, Box> {
  const byId = new Map(nodes.map((n) => [n.id, n]));
  for (const [head, ids] of members) {
    const box = boxes.get(head);
    if (!box || ids.length < 2) continue;
    const gap = chainGap(byId.get(head) as FlowNode);
    ids.forEach((id, i) => boxes.set(id, { x: box.x, y: box.y + i * (NODE_HEIGHT + gap), width: NODE_WIDTH, height: NODE_HEIGHT }));
  }
  return boxes;
}

function chainHeight(n: FlowNode, members: Map<string, string[]> | undefined): number {
  const k = members?.get(n.id)?.length ?? 1;
  return k * NODE_HEIGHT + (k - 1) * chainGap(n);
}

function toElk(
  nodes: FlowNode[],
  edges: FlowEdge[],
  members?: Map<string, string[]>,
  manual: Map<string, Manual> = new Map(),
  stacked: Map<string, { width: number; height: number }> = new Map(),
): ElkNode {
  const root: ElkNode = { id: "__root__", layoutOptions: ROOT_OPTIONS, children: [], edges: [] };
  const elkNodes = new Map<string, ElkNode>([["__root__", root]]);
  const hasChildren = new Set(nodes.map((n) => n.parentId).filter(Boolean));
  const hidden = new Set<string>();
  for (const n of nodes) {
    if (n.parentId && (manual.has(n.parentId) || hidden.has(n.parentId))) {
      hidden.add(n.id);
      continue;
    }
    const container = n.data.kind === "container" || n.data.kind === "lane";
    const e: ElkNode = { id: n.id, children: [], edges: [] };
    const fixed = stacked.get(n.id) ?? manual.get(n.id);
    if (fixed) Object.assign(e, { width: fixed.width, height: fixed.height });
    else if (!container) Object.assign(e, { width: NODE_WIDTH, height: chainHeight(n, members) });
    else if (!hasChildren.has(n.id)) Object.assign(e, EMPTY_LANE, { layoutOptions: CONTAINER_OPTIONS });
    else e.layoutOptions = containerOptions(n);
    if (n.data.kind === "container" && !hasChildren.has(n.id) && !fixed) Object.assign(e, { width: NODE_WIDTH, height: 96 });
    elkNodes.set(n.id, e);
    (elkNodes.get(n.parentId ?? "__root__") ?? root).children?.push(e);
  }
  const parentOf = new Map(nodes.filter((n) => !hidden.has(n.id)).map((n) => [n.id, n.parentId ?? "__root__"]));
  for (const edge of edges) {
    if (!parentOf.has(edge.source) || !parentOf.has(edge.target)) continue;
    const owner = parentOf.get(edge.target) as string;
    if (parentOf.get(edge.source) !== owner) continue;
    const ee: ElkExtendedEdge = { id: edge.id, sources: [edge.source], targets: [edge.target] };
    elkNodes.get(owner)?.edges?.push(ee);
  }
  return root;
}

function collect(node: ElkNode, boxes: Map<string, Box>) {
  for (const child of node.children ?? []) {
    boxes.set(child.id, {
      x: child.x ?? 0,
      y: child.y ?? 0,
      width: child.width ?? NODE_WIDTH,
      height: child.height ?? NODE_HEIGHT,
    });
    collect(child, boxes);
  }
}

/** Run one tiny layout so elk's first real use does not pay its start-up cost. */
export async function warmUpLayout(): Promise<unknown> {
  const engine = await getElk();
  return engine.layout({ id: "warm", layoutOptions: ROOT_OPTIONS, children: [{ id: "a", width: 10, height: 10 }], edges: [] });
}
