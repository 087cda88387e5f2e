/**
 * Layout as a pure async function: graph in, positioned nodes out (elkjs, layered,
 * top-down, containers laid out bottom-up around their children). Nothing about
 * positions is ever stored in the definition.
 *
 * Child positions are relative to their parent, exactly as @xyflow/react expects for
 * nodes with `parentId`. Containers and lanes get explicit width/height.
 */
import ELK from "elkjs/lib/elk.bundled.js";
import type { ElkExtendedEdge, ElkNode } from "elkjs/lib/elk-api";
import type { FlowEdge, FlowNode, WorkflowGraph } from "./mapping";

export const NODE_WIDTH = 240;
export const NODE_HEIGHT = 56;
const EMPTY_LANE = { width: 180, height: 64 };

const ROOT_OPTIONS = {
  "elk.algorithm": "layered",
  "elk.direction": "DOWN",
  "elk.layered.spacing.nodeNodeBetweenLayers": "48",
  "elk.spacing.nodeNode": "32",
  "elk.layered.nodePlacement.strategy": "BRANDES_KOEPF",
  "elk.layered.considerModelOrder.strategy": "NODES_AND_EDGES",
};
const CONTAINER_OPTIONS = {
  ...ROOT_OPTIONS,
  "elk.padding": "[top=44,left=16,bottom=16,right=16]",
  "elk.layered.spacing.nodeNodeBetweenLayers": "36",
};

/** Lanes sit side by side: no component packing, so they share the first layer. */
function containerOptions(n: FlowNode): Record<string, string> {
  if (n.data.kind === "lane") return { ...CONTAINER_OPTIONS, "elk.padding": "[top=32,left=12,bottom=12,right=12]" };
  const laned = n.data.type === "If" || n.data.type === "Switch";
  return laned ? { ...CONTAINER_OPTIONS, "elk.separateConnectedComponents": "false" } : CONTAINER_OPTIONS;
}

let elk: InstanceType<typeof ELK> | undefined;

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
  const sized = n.data.kind === "container" || n.data.kind === "lane";
  const out: FlowNode = { ...n, position: { x: box.x, y: box.y } };
  if (sized) {
    out.width = box.width;
    out.height = box.height;
    out.style = { ...(n.style ?? {}), width: box.width, height: box.height };
  }
  return out;
}

export async function layoutBoxes(nodes: FlowNode[], edges: FlowEdge[]): Promise<Map<string, Box>> {
  elk ??= new ELK();
  const root = toElk(nodes, edges);
  const laidOut = await elk.layout(root);
  const boxes = new Map<string, Box>();
  collect(laidOut, boxes);
  return boxes;
}

function toElk(nodes: FlowNode[], edges: FlowEdge[]): ElkNode {
  const root: ElkNode = { id: "__root__", layoutOptions: ROOT_OPTIONS, children: [], edges: [] };
  const elkNodes = new Map<string, ElkNode>([["__root__", root]]);
  const hasChildren = new Set(nodes.map((n) => n.parentId).filter(Boolean));
  for (const n of nodes) {
    const container = n.data.kind === "container" || n.data.kind === "lane";
    const e: ElkNode = { id: n.id, children: [], edges: [] };
    if (!container) Object.assign(e, { width: NODE_WIDTH, height: NODE_HEIGHT });
    else if (!hasChildren.has(n.id)) Object.assign(e, EMPTY_LANE, { layoutOptions: CONTAINER_OPTIONS });
    else e.layoutOptions = containerOptions(n);
    if (n.data.kind === "container" && !hasChildren.has(n.id)) Object.assign(e, { width: NODE_WIDTH, height: 96 });
    elkNodes.set(n.id, e);
    (elkNodes.get(n.parentId ?? "__root__") ?? root).children?.push(e);
  }
  const parentOf = new Map(nodes.map((n) => [n.id, n.parentId ?? "__root__"]));
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
