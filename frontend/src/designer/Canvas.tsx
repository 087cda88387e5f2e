/**
 * The canvas: derives the graph from the definition, lays it out with elk (async,
 * latest result wins) and renders it with @xyflow/react. It owns no workflow state;
 * drops and clicks are reported upwards.
 */
import {
  Background,
  Controls,
  MiniMap,
  ReactFlow,
  ReactFlowProvider,
  useReactFlow,
} from "@xyflow/react";
import { type DragEvent, useEffect, useMemo, useRef, useState } from "react";
import { definitionToGraph, type FlowEdge, type FlowNode } from "../graph/mapping";
import { layoutGraph } from "../graph/layout";
import type { WdlDefinition } from "../graph/wdl";
import { type CanvasApi, CanvasContext, edgeTypes, nodeTypes } from "./nodes";

function miniMapColor(n: FlowNode): string {
  return n.data.kind === "lane" || n.data.kind === "container" ? "rgba(120,130,150,0.25)" : "rgba(11,98,214,0.7)";
}

export const DRAG_MIME = "application/x-sluice-palette";

export interface DropTarget {
  /** Canvas node id under the pointer (action name, lane id, trigger id) or null. */
  nodeId: string | null;
  node?: FlowNode;
}

interface Props {
  definition: WdlDefinition;
  api: CanvasApi;
  onDropItem?: (payload: string, target: DropTarget) => void;
  /** Drawing a handle-to-handle connection: `target` runs after `source`. */
  onConnect?: (source: string, target: string) => void;
  /** Dragging an edge's start to another node. */
  onReconnect?: (oldSource: string, target: string, newSource: string) => void;
  /** Called once the laid-out canvas has been painted (with performance.now()). */
  onLayout?: (at: number, layoutMs: number) => void;
}

export function Canvas(props: Props) {
  return (
    <ReactFlowProvider>
      <CanvasInner {...props} />
    </ReactFlowProvider>
  );
}

function CanvasInner({ definition, api, onDropItem, onLayout, onConnect, onReconnect }: Props) {
  const graph = useMemo(() => definitionToGraph(definition), [definition]);
  const [laid, setLaid] = useState<{ nodes: FlowNode[]; edges: FlowEdge[] }>({ nodes: [], edges: [] });
  const { nodes, edges } = laid;
  const flow = useReactFlow();
  const shownIds = useRef("");
  const layoutMs = useRef(0);

  useEffect(() => {
    let cancelled = false;
    const started = performance.now();
    layoutGraph(graph).then((laid) => {
      if (cancelled) return;
      layoutMs.current = performance.now() - started;
      const ids = new Set(laid.map((n) => n.id));
      // Edges inside containers must be drawn above the container boxes.
      const shown = graph.edges.filter((e) => ids.has(e.source) && ids.has(e.target)).map((e) => ({ ...e, zIndex: 1000 }));
      setLaid({ nodes: laid, edges: shown });
      // Fit the view when the set of nodes changes (not when only their content does).
      const idKey = laid.map((n) => n.id).join("|");
      if (idKey !== shownIds.current) {
        shownIds.current = idKey;
        // Big flows: show their start at a readable zoom rather than a speck of the whole.
        const head = laid.length > 60 ? laid.filter((n) => !n.parentId).slice(0, 12).map((n) => ({ id: n.id })) : undefined;
        requestAnimationFrame(() => flow.fitView({ padding: 0.15, maxZoom: 1, nodes: head }));
      }
    });
    return () => {
      cancelled = true;
    };
  }, [graph, flow]);

  // Report "opened" after the laid-out nodes are committed and painted.
  useEffect(() => {
    if (laid.nodes.length === 0 || !onLayout) return;
    const frame = requestAnimationFrame(() => onLayout(performance.now(), layoutMs.current));
    return () => cancelAnimationFrame(frame);
  }, [laid, onLayout]);

  const byId = useMemo(() => new Map(nodes.map((n) => [n.id, n])), [nodes]);

  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    const payload = e.dataTransfer.getData(DRAG_MIME);
    if (!payload || !onDropItem) return;
    const el = document.elementFromPoint(e.clientX, e.clientY)?.closest(".react-flow__node");
    const nodeId = el?.getAttribute("data-id") ?? null;
    onDropItem(payload, { nodeId, node: nodeId ? byId.get(nodeId) : undefined });
  };

  return (
    <CanvasContext.Provider value={api}>
      <div
        className="canvas"
        data-testid="canvas"
        onDragOver={(e) => {
          e.preventDefault();
          e.dataTransfer.dropEffect = "copy";
        }}
        onDrop={onDrop}
      >
        <ReactFlow
          nodes={nodes}
          edges={edges}
          nodeTypes={nodeTypes}
          edgeTypes={edgeTypes}
          nodesDraggable={false}
          nodesConnectable={Boolean(onConnect)}
          edgesReconnectable={Boolean(onReconnect)}
          onConnect={(c) => c.source && c.target && onConnect?.(c.source, c.target)}
          onReconnect={(old, c) => {
            if (old.data?.kind === "runAfter" && c.source && c.target === old.target) onReconnect?.(old.source, old.target, c.source);
          }}
          elementsSelectable={false}
          onlyRenderVisibleElements
          minZoom={0.1}
          proOptions={{ hideAttribution: true }}
          onPaneClick={() => api.onSelect("")}
          onNodeClick={(_, n) => {
            if (n.data.kind !== "lane") api.onSelect(n.id);
          }}
        >
          <Background />
          <MiniMap pannable zoomable ariaLabel="Mini map" nodeColor={miniMapColor} nodeStrokeWidth={0} />
          <Controls showInteractive={false} />
        </ReactFlow>
        {nodes.length === 0 && graph.nodes.length === 0 && (
          <div className="canvas-empty">Drag a trigger from the palette to start.</div>
        )}
      </div>
    </CanvasContext.Provider>
  );
}
