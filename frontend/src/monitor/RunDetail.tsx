/**
 * One run: the workflow's canvas (of the version the run used) coloured by status
 * with durations, a pager per loop, and a side panel with the clicked action's
 * inputs, outputs, retries and error. Large contents load lazily from their links.
 */
import { useCallback, useEffect, useMemo, useState } from "react";
import { cancelRun, getContent, getRun, getVersion, resubmitRun } from "../api/client";
import type { ActionRunNode, ContentLink, RunDetail as Run } from "../api/types";
import { Canvas } from "../designer/Canvas";
import type { CanvasApi } from "../designer/nodes";
import { TRIGGER_PREFIX } from "../graph/mapping";
import type { WdlDefinition } from "../graph/wdl";
import { FINAL_STATUSES, formatDuration, runView } from "./runStatus";

const POLL_MS = 1500;

export function RunDetail({ id }: { id: string }) {
  const [run, setRun] = useState<Run | null>(null);
  const [definition, setDefinition] = useState<WdlDefinition | null>(null);
  const [selected, setSelected] = useState<string | null>(null);
  const [chosen, setChosen] = useState<Record<string, number>>({});
  const [error, setError] = useState("");
  const [message, setMessage] = useState("");
  const [openMs, setOpenMs] = useState<number | null>(null);
  const [started] = useState(() => performance.now());

  const load = useCallback(() => getRun(id).then(setRun).catch((e: Error) => setError(e.message)), [id]);
  useEffect(() => {
    void load();
  }, [load]);
  useEffect(() => {
    if (!run) return;
    if (!definition) getVersion(run.workflow, run.version).then((v) => setDefinition(v.definition ?? {})).catch((e: Error) => setError(e.message));
    if (FINAL_STATUSES.has(run.status)) return;
    const t = setTimeout(load, POLL_MS);
    return () => clearTimeout(t);
  }, [run, definition, load]);

  const view = useMemo(() => {
    const v = runView(run?.actions ?? [], chosen);
    if (run?.trigger?.name) v.byName.set(run.trigger.name, triggerAsNode(run));
    return v;
  }, [run, chosen]);
  const api: CanvasApi = useMemo(
    () => ({
      mode: "monitor",
      selected,
      problems: new Map(),
      run: view.byName,
      iterations: view.iterations,
      chosenIteration: chosen,
      onSelect: (nodeId: string) => setSelected(nodeId || null),
      onIteration: (loop: string, index: number) => setChosen((c) => ({ ...c, [loop]: index })),
    }),
    [selected, view, chosen],
  );
  const onLayout = useCallback(() => setOpenMs((p) => p ?? performance.now() - started), [started]);

  if (error && !run) return <p className="error" role="alert">{error}</p>;
  if (!run) return <p>Loading…</p>;
  const act = (fn: () => Promise<{ id?: string } | unknown>, label: string) =>
    fn()
      .then((r) => {
        const newId = (r as { id?: string })?.id;
        if (newId && newId !== run.id) window.location.hash = `#/runs/${newId}`;
        else void load();
        setMessage(label);
      })
      .catch((e: Error) => setError(e.message));
  const selectedName = selected?.startsWith(TRIGGER_PREFIX) ? null : selected;
  const topLevel = selectedName && definition?.actions && selectedName in definition.actions;

  return (
    <div className="designer monitor">
      <div className="toolbar" role="toolbar" aria-label="Run">
        <a href={`#/workflows/${encodeURIComponent(run.workflow)}/runs`}>← Runs of {run.workflow}</a>
        <strong>Run {run.id}</strong>
        <span className={`pill status-${run.status}`} data-testid="run-status">{run.status}</span>
        <span className="muted">{formatDuration(run.duration_ms)} · v{run.version}{run.client_tracking_id && run.client_tracking_id !== run.id ? ` · ${run.client_tracking_id}` : ""}</span>
        <button type="button" disabled={FINAL_STATUSES.has(run.status)} onClick={() => act(() => cancelRun(run.id), "Cancel requested")}>Cancel</button>
        <button type="button" onClick={() => act(() => resubmitRun(run.id), "Resubmitted")}>Resubmit</button>
        {topLevel && (
          <button type="button" onClick={() => act(() => resubmitRun(run.id, selectedName as string), `Resubmitted from ${selectedName}`)}>
            Resubmit from {selectedName}
          </button>
        )}
        {openMs !== null && <span className="muted" data-testid="open-ms" data-ms={Math.round(openMs)}>opened in {Math.round(openMs)} ms</span>}
      </div>
      {(message || error) && <div className={error ? "error banner" : "banner"} role={error ? "alert" : "status"}>{error || message}</div>}
      <div className="designer-body">
        <main className="designer-main">
          {definition ? <Canvas definition={definition} api={api} onLayout={onLayout} /> : <p>Loading definition…</p>}
        </main>
        {!selected && <RunSummaryPanel run={run} />}
        {selected && (
          <RunPanel
            key={selected}
            title={selected.startsWith(TRIGGER_PREFIX) ? selected.slice(TRIGGER_PREFIX.length) : selected}
            record={selected.startsWith(TRIGGER_PREFIX) ? triggerAsNode(run) : view.byName.get(selected)}
            onClose={() => setSelected(null)}
          />
        )}
      </div>
    </div>
  );
}

/** With nothing selected: the run's own error, response and outputs. */
function RunSummaryPanel({ run }: { run: Run }) {
  return (
    <aside className="panel" aria-label="Run summary" data-testid="run-summary">
      <header>
        <strong>Run</strong>
        <span className={`pill status-${run.status}`}>{run.status}</span>
      </header>
      <div className="panel-body">
        <p className="muted">
          Started {run.started_at ? new Date(run.started_at).toLocaleString() : "–"} · {formatDuration(run.duration_ms)}
          {run.resubmitted_from ? ` · resubmitted from ${run.resubmitted_from}` : ""}
        </p>
        {run.error ? <Block title="Error" value={run.error} /> : null}
        {run.response ? <Block title="Response" value={run.response} /> : null}
        {run.outputs && Object.keys(run.outputs as object).length ? <Block title="Outputs" value={run.outputs} /> : null}
        <p className="hint">Select an action to see its inputs and outputs.</p>
      </div>
    </aside>
  );
}

function triggerAsNode(run: Run): ActionRunNode {
  const t = run.trigger;
  return { name: t.name, path: t.name, type: "Trigger", status: t.status, inputs: t.inputs, outputs: t.outputs, inputs_link: t.inputs_link, outputs_link: t.outputs_link, error: t.error, children: [] };
}

function RunPanel({ title, record, onClose }: { title: string; record?: ActionRunNode; onClose: () => void }) {
  return (
    <aside className="panel" aria-label={`Run details of ${title}`} data-testid="run-panel">
      <header>
        <strong>{title}</strong>
        <span className={`pill status-${record?.status ?? "NotRun"}`}>{record?.status ?? "Not run"}</span>
        <button type="button" onClick={onClose} aria-label="Close panel">×</button>
      </header>
      {!record ? (
        <p className="muted">This action did not run.</p>
      ) : (
        <div className="panel-body">
          <p className="muted">
            {record.code ? `Code ${record.code} · ` : ""}
            {formatDuration(record.duration_ms)}
            {record.attempts ? ` · ${record.attempts} attempt(s)` : ""}
          </p>
          {record.error ? <Block title="Error" value={record.error} /> : null}
          <Content title="Inputs" value={record.inputs} link={record.inputs_link} />
          <Content title="Outputs" value={record.outputs} link={record.outputs_link} />
          {record.retry_history?.length ? <Block title="Retries" value={record.retry_history} /> : null}
          {record.tracked_properties ? <Block title="Tracked properties" value={record.tracked_properties} /> : null}
        </div>
      )}
    </aside>
  );
}

const PREVIEW_CHARS = 200_000;

function Content({ title, value, link }: { title: string; value: unknown; link?: ContentLink }) {
  const [loaded, setLoaded] = useState<unknown>(undefined);
  const [error, setError] = useState("");
  const lazy = (value === null || value === undefined) && link && link.content_size > 0;
  const shown = lazy ? loaded : value;
  return (
    <section className="content" data-testid={`content-${title.toLowerCase()}`}>
      <h4>{title}{link?.content_size ? <span className="muted"> · {(link.content_size / 1024).toFixed(1)} KB</span> : null}</h4>
      {lazy && loaded === undefined ? (
        <button type="button" onClick={() => getContent(link.uri).then(setLoaded).catch((e: Error) => setError(e.message))}>
          Show {title.toLowerCase()}
        </button>
      ) : (
        <pre>{preview(shown)}</pre>
      )}
      {error && <p className="error">{error}</p>}
    </section>
  );
}

function preview(value: unknown): string {
  if (value === undefined || value === null) return "—";
  const text = typeof value === "string" ? value : JSON.stringify(value, null, 2);
  return text.length > PREVIEW_CHARS ? `${text.slice(0, PREVIEW_CHARS)}\n… (${text.length - PREVIEW_CHARS} more characters)` : text;
}

function Block({ title, value }: { title: string; value: unknown }) {
  return (
    <section className="content">
      <h4>{title}</h4>
      <pre>{preview(value)}</pre>
    </section>
  );
}
