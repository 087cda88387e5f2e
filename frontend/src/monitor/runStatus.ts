/**
 * From a run's action tree (as the API returns it) to what the canvas shows: one
 * record per action name for the chosen iteration of each loop, and how many
 * iterations each loop had (for the pager). Loop iterations appear in the tree as
 * levels named `Loop[3]`.
 */
import type { ActionRunNode } from "../api/types";

export interface RunView {
  byName: Map<string, ActionRunNode>;
  iterations: Map<string, number>;
}

const REPETITION = /^(.*)\[(\d+)\]$/;

function lastSegment(path: string): string {
  const i = path.lastIndexOf("/");
  return i < 0 ? path : path.slice(i + 1);
}

export function runView(tree: ActionRunNode[], chosen: Record<string, number> = {}): RunView {
  const byName = new Map<string, ActionRunNode>();
  const iterations = new Map<string, number>();
  const visit = (nodes: ActionRunNode[]) => {
    for (const node of nodes) {
      const rep = REPETITION.exec(lastSegment(node.path));
      if (rep) {
        const loop = rep[1] as string;
        const index = Number(rep[2]);
        iterations.set(loop, Math.max(iterations.get(loop) ?? 0, index + 1));
        if (index === (chosen[loop] ?? 0)) visit(node.children);
        continue;
      }
      if (node.iteration !== null && node.iteration !== undefined && node.type !== "Repetition") {
        const loop = loopOf(node.path);
        if (loop) {
          iterations.set(loop, Math.max(iterations.get(loop) ?? 0, node.iteration + 1));
          if (node.iteration !== (chosen[loop] ?? 0)) continue;
        }
      }
      byName.set(node.name, node);
      visit(node.children);
    }
  };
  visit(tree);
  return { byName, iterations };
}

function loopOf(path: string): string | undefined {
  const parts = path.split("/");
  for (let i = parts.length - 2; i >= 0; i--) {
    const m = REPETITION.exec(parts[i] as string);
    if (m) return m[1];
  }
  return undefined;
}

export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return "";
  if (ms < 1000) return `${ms} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
  const m = Math.floor(ms / 60_000);
  return `${m} min ${Math.round((ms % 60_000) / 1000)} s`;
}

export const FINAL_STATUSES = new Set(["Succeeded", "Failed", "Cancelled", "TimedOut", "Skipped", "Aborted"]);
