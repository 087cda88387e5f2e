/**
 * The designer page. State is a history of definitions (undo/redo); the canvas, the
 * panel and the code view all render the present definition and report edits as new
 * definitions. Saving makes a new version on the server.
 */
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { ApiError, getWorkflow, listConnectors, saveWorkflow, validateDefinition } from "../api/client";
import type { Connector, Problem, Workflow } from "../api/types";
import { tokenCandidates } from "../expressions/completions";
import { expressionProblems, problemsByNode } from "../expressions/problems";
import { connect, copyAction, deleteAction, EditError, pasteAction, reconnect } from "../graph/edits";
import { TRIGGER_PREFIX } from "../graph/mapping";
import { upstreamOf } from "../graph/upstream";
import { findAction, type Slot, type WdlAction, type WdlDefinition, type WdlTrigger } from "../graph/wdl";
import { ActionPanel } from "./ActionPanel";
import { Canvas, type DropTarget } from "./Canvas";
import { CodeView } from "./CodeView";
import { canRedo, canUndo, type History, push, redo, startHistory, undo } from "./history";
import type { CanvasApi } from "./nodes";
import { baseName, instantiate, type PaletteItem, paletteItems } from "./palette";
import { Palette } from "./Palette";
import { placeAction, placeTrigger, type Target } from "./placement";
import { VersionsPanel } from "./VersionsPanel";
import { useKeyboard } from "./useKeyboard";

const CLIPBOARD_KEY = "sluice.clipboard";

export function Designer({ name }: { name: string }) {
  const [workflow, setWorkflow] = useState<Workflow | null>(null);
  const [history, setHistory] = useState<History | null>(null);
  const [saved, setSaved] = useState<WdlDefinition | null>(null);
  const [selected, setSelected] = useState<string | null>(null);
  const [view, setView] = useState<"canvas" | "code">("canvas");
  const [pending, setPending] = useState<Target | null>(null);
  const [connectors, setConnectors] = useState<Connector[]>([]);
  const [serverProblems, setServerProblems] = useState<Problem[]>([]);
  const [message, setMessage] = useState("");
  const [error, setError] = useState("");
  const [showVersions, setShowVersions] = useState(false);
  const [kind, setKind] = useState("Stateful");
  const [openMs, setOpenMs] = useState<{ open: number; layout: number } | null>(null);
  const loadStarted = useRef(performance.now());

  const load = useCallback((wf: Workflow) => {
    setWorkflow(wf);
    setHistory(startHistory(wf.definition));
    setSaved(wf.definition);
    setKind(wf.kind || "Stateful");
  }, []);

  useEffect(() => {
    loadStarted.current = performance.now();
    getWorkflow(name).then(load).catch((e: Error) => setError(e.message));
    listConnectors().then(setConnectors).catch(() => setConnectors([]));
  }, [name, load]);

  const definition = history?.present ?? null;

  // Server validation, debounced; local expression checks are immediate.
  useEffect(() => {
    if (!definition) return;
    const t = setTimeout(() => {
      validateDefinition(definition).then((r) => setServerProblems(r.problems)).catch(() => undefined);
    }, 600);
    return () => clearTimeout(t);
  }, [definition]);
  const problems = useMemo(
    () => [...serverProblems, ...(definition ? expressionProblems(definition) : [])],
    [serverProblems, definition],
  );
  const byNode = useMemo(() => problemsByNode(problems), [problems]);

  const edit = useCallback((next: WdlDefinition, select?: string) => {
    setHistory((h) => (h ? push(h, next) : h));
    if (select !== undefined) setSelected(select);
    setError("");
  }, []);

  const attempt = (fn: () => void) => {
    try {
      fn();
    } catch (e) {
      if (e instanceof EditError) setError(e.message);
      else throw e;
    }
  };

  const addItem = (item: PaletteItem, target: Target) =>
    attempt(() => {
      if (!definition) return;
      const frag = instantiate(item);
      const placed = item.trigger
        ? placeTrigger(definition, baseName(item), frag as WdlTrigger)
        : placeAction(definition, baseName(item), frag as WdlAction, target);
      edit(placed.definition, placed.id);
      setPending(null);
    });

  const onDropItem = (payload: string, drop: DropTarget) => {
    const item = JSON.parse(payload) as PaletteItem;
    addItem(item, drop.nodeId ? { kind: "node", id: drop.nodeId } : { kind: "none" });
  };

  const onPick = (item: PaletteItem) =>
    addItem(item, pending ?? (selected ? { kind: "node", id: selected } : { kind: "none" }));

  const save = useCallback(async () => {
    if (!definition || !workflow) return;
    try {
      const wf = await saveWorkflow(workflow.name, definition, kind);
      setWorkflow(wf);
      setSaved(definition);
      setMessage(`Saved version ${wf.version ?? ""}`);
      setServerProblems([]);
    } catch (e) {
      const err = e as ApiError;
      setError(`Not saved: ${err.message}`);
      if (err.details?.length) setServerProblems(err.details);
    }
  }, [definition, workflow, kind]);

  const selectedAction = selected && !selected.startsWith(TRIGGER_PREFIX) && definition ? findAction(definition, selected) : undefined;

  const copy = () => {
    if (!definition || !selectedAction) return;
    const text = copyAction(definition, selectedAction.name);
    localStorage.setItem(CLIPBOARD_KEY, text);
    navigator.clipboard?.writeText(text).catch(() => undefined);
    setMessage(`Copied ${selectedAction.name}`);
  };
  const paste = () =>
    attempt(() => {
      const text = localStorage.getItem(CLIPBOARD_KEY);
      if (!definition || !text) return;
      const opts = selectedAction ? { after: selectedAction.name } : {};
      const { definition: next, name: pasted } = pasteAction(definition, text, opts);
      edit(next, pasted);
      setMessage(`Pasted ${pasted}`);
    });
  const remove = () =>
    attempt(() => {
      if (!definition || !selected) return;
      if (selected.startsWith(TRIGGER_PREFIX)) {
        const triggers = { ...(definition.triggers ?? {}) };
        delete triggers[selected.slice(TRIGGER_PREFIX.length)];
        edit({ ...definition, triggers }, "");
      } else {
        edit(deleteAction(definition, selected), "");
      }
    });

  useKeyboard({
    undo: () => setHistory((h) => (h ? undo(h) : h)),
    redo: () => setHistory((h) => (h ? redo(h) : h)),
    copy,
    paste,
    remove,
    save: () => void save(),
  });

  const tokens = useMemo(() => {
    if (!definition || !selected) return [];
    const hasTrigger = Object.keys(definition.triggers ?? {}).length > 0;
    if (selected.startsWith(TRIGGER_PREFIX)) return [];
    return tokenCandidates(upstreamOf(definition, selected), hasTrigger);
  }, [definition, selected]);

  const api: CanvasApi = useMemo(
    () => ({
      mode: "design",
      selected,
      problems: byNode,
      onSelect: (id: string) => setSelected(id || null),
      onInsertOnEdge: (source, target) => setPending({ kind: "edge", source, target }),
      onAddToSlot: (slot: Slot) => setPending({ kind: "slot", slot }),
    }),
    [selected, byNode],
  );

  const items = useMemo(() => paletteItems(connectors), [connectors]);
  // "Opened in": from the start of loading to the first laid-out canvas.
  const onLayout = useCallback(
    (at: number, layout: number) => setOpenMs((prev) => prev ?? { open: at - loadStarted.current, layout }),
    [],
  );

  if (error && !history) return <p className="error" role="alert">{error}</p>;
  if (!history || !definition || !workflow) return <p>Loading…</p>;
  const dirty = saved !== definition || kind !== (workflow.kind || "Stateful");

  return (
    <div className="designer">
      <div className="toolbar" role="toolbar" aria-label="Designer">
        <strong className="wf-title-bar">{workflow.name}</strong>
        <span className="muted">v{workflow.version ?? "–"}{dirty ? " · unsaved changes" : ""}</span>
        <select aria-label="Workflow kind" value={kind} onChange={(e) => setKind(e.target.value)}>
          <option>Stateful</option>
          <option>Stateless</option>
        </select>
        <button type="button" onClick={() => void save()} disabled={!dirty} aria-label="Save">Save</button>
        <button type="button" onClick={() => setHistory(undo(history))} disabled={!canUndo(history)} aria-label="Undo">Undo</button>
        <button type="button" onClick={() => setHistory(redo(history))} disabled={!canRedo(history)} aria-label="Redo">Redo</button>
        <button type="button" onClick={copy} disabled={!selectedAction} aria-label="Copy action">Copy</button>
        <button type="button" onClick={paste} aria-label="Paste action">Paste</button>
        <span className="seg" role="tablist" aria-label="View">
          <button type="button" role="tab" aria-selected={view === "canvas"} onClick={() => setView("canvas")}>Designer</button>
          <button type="button" role="tab" aria-selected={view === "code"} onClick={() => setView("code")}>Code view</button>
        </span>
        <button type="button" onClick={() => setShowVersions((v) => !v)} aria-label="Version history">Versions</button>
        <a href={`#/workflows/${encodeURIComponent(workflow.name)}/runs`}>Runs</a>
        {openMs !== null && (
          <span className="muted" data-testid="open-ms" data-ms={Math.round(openMs.open)} data-layout-ms={Math.round(openMs.layout)}>
            opened in {Math.round(openMs.open)} ms
          </span>
        )}
      </div>
      {(message || error) && (
        <div className={error ? "error banner" : "banner"} role={error ? "alert" : "status"}>
          {error || message}
          <button type="button" aria-label="Dismiss" onClick={() => { setError(""); setMessage(""); }}>×</button>
        </div>
      )}
      <div className="designer-body">
        <Palette items={items} onPick={onPick} hint={pending ? "Pick an action to insert at the chosen place." : undefined} />
        <main className="designer-main">
          {view === "canvas" ? (
            <Canvas
              definition={definition}
              api={api}
              onDropItem={onDropItem}
              onLayout={onLayout}
              onConnect={(source, target) => attempt(() => edit(connect(definition, source, target)))}
              onReconnect={(old, target, source) => attempt(() => edit(reconnect(definition, old, target, source)))}
            />
          ) : (
            <CodeView definition={definition} problems={problems} onChange={(d) => edit(d)} />
          )}
        </main>
        {showVersions && (
          <VersionsPanel name={workflow.name} current={workflow.version} onClose={() => setShowVersions(false)} onRestored={(wf) => { load(wf); setMessage(`Restored as version ${wf.version}`); }} />
        )}
        {selected && !showVersions && (
          <ActionPanel
            definition={definition}
            selected={selected}
            connectors={connectors}
            tokens={tokens}
            workflowName={saved && Object.keys(saved.triggers ?? {}).length ? workflow.name : null}
            onEdit={edit}
            onDelete={remove}
            onClose={() => setSelected(null)}
          />
        )}
      </div>
    </div>
  );
}
