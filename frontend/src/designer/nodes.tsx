/**
 * Custom canvas nodes and edges. `nodeTypes`/`edgeTypes` are module constants (a new
 * object per render would remount every node) and each component is memoised.
 * Callbacks and run colouring come through `CanvasContext`, not node data, so the
 * laid-out nodes stay stable while selection or run state changes.
 */
import {
  BaseEdge,
  type EdgeProps,
  EdgeLabelRenderer,
  getBezierPath,
  Handle,
  type NodeProps,
  Position,
} from "@xyflow/react";
import { createContext, memo, useContext } from "react";
import type { ActionRunNode } from "../api/types";
import type { FlowEdge, FlowNode } from "../graph/mapping";
import type { Slot } from "../graph/wdl";
import { formatDuration } from "../monitor/runStatus";
import { iconFor } from "./builtins";

export interface CanvasApi {
  mode: "design" | "monitor";
  selected: string | null;
  problems: Map<string, string[]>;
  run?: Map<string, ActionRunNode>;
  iterations?: Map<string, number>;
  chosenIteration?: Record<string, number>;
  onSelect: (id: string) => void;
  onInsertOnEdge?: (source: string | null, target: string) => void;
  onAddToSlot?: (slot: Slot) => void;
  onIteration?: (loop: string, index: number) => void;
}

export const CanvasContext = createContext<CanvasApi>({
  mode: "design",
  selected: null,
  problems: new Map(),
  onSelect: () => undefined,
});

function statusClass(api: CanvasApi, name: string): string {
  if (api.mode !== "monitor") return "";
  const status = api.run?.get(name)?.status ?? "NotRun";
  return `status-${status}`;
}

function RunBadge({ name }: { name: string }) {
  const api = useContext(CanvasContext);
  if (api.mode !== "monitor") return null;
  const rec = api.run?.get(name);
  return (
    <span className="run-badge" data-testid={`status-${name}`}>
      {rec?.status ?? "Not run"}
      {rec?.duration_ms !== undefined && rec?.duration_ms !== null ? ` · ${formatDuration(rec.duration_ms)}` : ""}
    </span>
  );
}

function ProblemBadge({ id }: { id: string }) {
  const problems = useContext(CanvasContext).problems.get(id);
  if (!problems?.length) return null;
  return (
    <span className="problem-badge" title={problems.join("\n")} role="img" aria-label={`${problems.length} problem(s): ${problems.join("; ")}`}>
      ! {problems.length}
    </span>
  );
}

const ActionNode = memo(function ActionNode({ id, data }: NodeProps<FlowNode>) {
  const api = useContext(CanvasContext);
  const selected = api.selected === id;
  return (
    <div
      className={`wf-node ${data.kind} ${selected ? "selected" : ""} ${statusClass(api, data.name)}`}
      data-testid={`node-${data.name}`}
      role="button"
      tabIndex={0}
      aria-label={`${data.kind === "trigger" ? "Trigger" : "Action"} ${data.name} (${data.type})`}
      onClick={(e) => {
        e.stopPropagation();
        api.onSelect(id);
      }}
      onKeyDown={(e) => {
        if (e.key === "Enter") api.onSelect(id);
      }}
    >
      {data.kind !== "trigger" && <Handle type="target" position={Position.Top} />}
      <span className="wf-icon" aria-hidden>{iconFor(data.type)}</span>
      <span className="wf-title">
        <span className="wf-name">{data.name.replace(/_/g, " ")}</span>
        <span className="wf-type">{data.type}</span>
      </span>
      <ProblemBadge id={id} />
      <RunBadge name={data.name} />
      <Handle type="source" position={Position.Bottom} />
    </div>
  );
});

const ContainerNode = memo(function ContainerNode({ id, data }: NodeProps<FlowNode>) {
  const api = useContext(CanvasContext);
  const count = api.iterations?.get(data.name) ?? 0;
  const chosen = api.chosenIteration?.[data.name] ?? 0;
  const hasLanes = data.type === "If" || data.type === "Switch";
  return (
    <div
      className={`wf-container ${api.selected === id ? "selected" : ""} ${statusClass(api, data.name)}`}
      data-testid={`node-${data.name}`}
    >
      <Handle type="target" position={Position.Top} />
      <div
        className="wf-container-header"
        role="button"
        tabIndex={0}
        aria-label={`${data.type} ${data.name}`}
        onClick={(e) => {
          e.stopPropagation();
          api.onSelect(id);
        }}
        onKeyDown={(e) => {
          if (e.key === "Enter") api.onSelect(id);
        }}
      >
        <span className="wf-icon" aria-hidden>{iconFor(data.type)}</span>
        <span className="wf-name">{data.name.replace(/_/g, " ")}</span>
        <ProblemBadge id={id} />
        <RunBadge name={data.name} />
        {api.mode === "monitor" && count > 1 && (
          <span className="pager nodrag" onClick={(e) => e.stopPropagation()}>
            <button type="button" aria-label={`Previous iteration of ${data.name}`} disabled={chosen <= 0} onClick={() => api.onIteration?.(data.name, chosen - 1)}>‹</button>
            <span data-testid={`iteration-${data.name}`}>{chosen + 1}/{count}</span>
            <button type="button" aria-label={`Next iteration of ${data.name}`} disabled={chosen >= count - 1} onClick={() => api.onIteration?.(data.name, chosen + 1)}>›</button>
          </span>
        )}
      </div>
      {!hasLanes && api.mode === "design" && (
        <button type="button" className="add-in nodrag" aria-label={`Add an action in ${data.name}`} onClick={(e) => { e.stopPropagation(); api.onAddToSlot?.({ parent: data.name, branch: "actions" }); }}>+</button>
      )}
      <Handle type="source" position={Position.Bottom} />
    </div>
  );
});

const LaneNode = memo(function LaneNode({ data }: NodeProps<FlowNode>) {
  const api = useContext(CanvasContext);
  const slot: Slot = { parent: data.owner ?? null, branch: data.branch ?? "actions" };
  return (
    <div className={`wf-lane lane-${data.name.toLowerCase()}`} data-testid={`lane-${data.owner}-${data.name}`}>
      <div className="wf-lane-label">{data.name}</div>
      {api.mode === "design" && (
        <button type="button" className="add-in nodrag" aria-label={`Add an action to ${data.owner} ${data.name}`} onClick={(e) => { e.stopPropagation(); api.onAddToSlot?.(slot); }}>+</button>
      )}
    </div>
  );
});

export const nodeTypes = { trigger: ActionNode, action: ActionNode, container: ContainerNode, lane: LaneNode };

const RunAfterEdge = memo(function RunAfterEdge(props: EdgeProps<FlowEdge>) {
  const api = useContext(CanvasContext);
  const [path, labelX, labelY] = getBezierPath(props);
  const statuses = props.data?.statuses ?? [];
  const fromTrigger = props.data?.kind === "trigger";
  const label = props.label as string | undefined;
  return (
    <>
      <BaseEdge id={props.id} path={path} markerEnd={props.markerEnd} className={label ? "edge-conditional" : ""} />
      <EdgeLabelRenderer>
        <div className="edge-label nodrag nopan" style={{ transform: `translate(-50%, -50%) translate(${labelX}px, ${labelY}px)` }}>
          {label && <span className="edge-status" title={`Runs after: ${statuses.join(", ")}`}>{label}</span>}
          {api.mode === "design" && (
            <button
              type="button"
              className="edge-add"
              aria-label={`Insert an action between ${props.source} and ${props.target}`}
              onClick={() => api.onInsertOnEdge?.(fromTrigger ? null : props.source, props.target)}
            >
              +
            </button>
          )}
        </div>
      </EdgeLabelRenderer>
    </>
  );
});

export const edgeTypes = { runAfter: RunAfterEdge };
