/**
 * Undo/redo as a history of definitions. Every edit pushes the new definition; the
 * canvas, the panel and the code view all render `present`. Pure and tested.
 */
import type { WdlDefinition } from "../graph/wdl";

export interface History {
  past: WdlDefinition[];
  present: WdlDefinition;
  future: WdlDefinition[];
}

export const HISTORY_LIMIT = 200;

export function startHistory(definition: WdlDefinition): History {
  return { past: [], present: definition, future: [] };
}

export function push(h: History, next: WdlDefinition): History {
  if (next === h.present) return h;
  const past = [...h.past, h.present].slice(-HISTORY_LIMIT);
  return { past, present: next, future: [] };
}

export function undo(h: History): History {
  const previous = h.past[h.past.length - 1];
  if (previous === undefined) return h;
  return { past: h.past.slice(0, -1), present: previous, future: [h.present, ...h.future] };
}

export function redo(h: History): History {
  const [next, ...rest] = h.future;
  if (next === undefined) return h;
  return { past: [...h.past, h.present], present: next, future: rest };
}

export const canUndo = (h: History) => h.past.length > 0;
export const canRedo = (h: History) => h.future.length > 0;
