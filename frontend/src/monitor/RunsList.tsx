/**
 * Runs of a workflow (or of all workflows): status, start, duration, trigger, client
 * tracking id; filter by status; live updates by polling; cursor pages; and the
 * trigger history of the workflow's triggers.
 */
import { useCallback, useEffect, useState } from "react";
import { getWorkflow, listRuns, triggerHistory } from "../api/client";
import type { RunSummary, TriggerHistoryEntry } from "../api/types";
import { formatDuration } from "./runStatus";

const STATUSES = ["", "Running", "Waiting", "Succeeded", "Failed", "Cancelled", "TimedOut"];
const POLL_MS = 2000;

export function RunsList({ workflow }: { workflow?: string }) {
  const [runs, setRuns] = useState<RunSummary[]>([]);
  const [status, setStatus] = useState("");
  const [next, setNext] = useState<string | null>(null);
  const [cursor, setCursor] = useState<string | undefined>(undefined);
  const [error, setError] = useState("");
  const [tab, setTab] = useState<"runs" | "triggers">("runs");

  const load = useCallback(() => {
    listRuns({ workflow, status, cursor })
      .then((page) => {
        setRuns(page.results);
        setNext(page.next);
        setError("");
      })
      .catch((e: Error) => setError(e.message));
  }, [workflow, status, cursor]);

  useEffect(() => {
    load();
    const t = setInterval(load, POLL_MS);
    return () => clearInterval(t);
  }, [load]);

  return (
    <section className="page">
      <h1>Runs{workflow ? ` of ${workflow}` : ""}</h1>
      {workflow && (
        <p className="row">
          <a href={`#/workflows/${encodeURIComponent(workflow)}`}>Open designer</a>
          <span className="seg" role="tablist">
            <button type="button" role="tab" aria-selected={tab === "runs"} onClick={() => setTab("runs")}>Runs</button>
            <button type="button" role="tab" aria-selected={tab === "triggers"} onClick={() => setTab("triggers")}>Trigger history</button>
          </span>
        </p>
      )}
      {error && <p className="error" role="alert">{error}</p>}
      {tab === "triggers" && workflow ? (
        <TriggerHistory workflow={workflow} />
      ) : (
        <>
          <label className="row">
            Status
            <select aria-label="Filter by status" value={status} onChange={(e) => { setCursor(undefined); setStatus(e.target.value); }}>
              {STATUSES.map((s) => <option key={s} value={s}>{s || "All"}</option>)}
            </select>
            <span className="muted">updates every {POLL_MS / 1000} s</span>
          </label>
          <table className="grid" aria-label="Runs">
            <thead>
              <tr><th>Run</th>{!workflow && <th>Workflow</th>}<th>Status</th><th>Start</th><th>Duration</th><th>Trigger</th><th>Client tracking id</th></tr>
            </thead>
            <tbody>
              {runs.map((r) => (
                <tr key={r.id} data-testid={`run-${r.id}`}>
                  <td><a href={`#/runs/${r.id}`}>{r.id}</a></td>
                  {!workflow && <td>{r.workflow}</td>}
                  <td><span className={`pill status-${r.status}`}>{r.status}</span></td>
                  <td>{r.started_at ? new Date(r.started_at).toLocaleString() : "–"}</td>
                  <td>{formatDuration(r.duration_ms)}</td>
                  <td>{r.trigger_name}</td>
                  <td>{r.client_tracking_id}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {runs.length === 0 && <p className="muted">No runs.</p>}
          <p className="row">
            {cursor && <button type="button" onClick={() => setCursor(undefined)}>Newest</button>}
            {next && <button type="button" onClick={() => setCursor(next)}>Older</button>}
          </p>
        </>
      )}
    </section>
  );
}

function TriggerHistory({ workflow }: { workflow: string }) {
  const [entries, setEntries] = useState<TriggerHistoryEntry[]>([]);
  const [error, setError] = useState("");
  useEffect(() => {
    getWorkflow(workflow)
      .then((wf) => Promise.all(wf.triggers.map((t) => triggerHistory(workflow, t.name))))
      .then((lists) => setEntries(lists.flat()))
      .catch((e: Error) => setError(e.message));
  }, [workflow]);
  return (
    <>
      {error && <p className="error" role="alert">{error}</p>}
      <table className="grid" aria-label="Trigger history">
        <thead><tr><th>When</th><th>Trigger</th><th>Status</th><th>Fired</th><th>Run</th></tr></thead>
        <tbody>
          {entries.map((e) => (
            <tr key={e.id}>
              <td>{new Date(e.created_at).toLocaleString()}</td>
              <td>{e.trigger_name}</td>
              <td><span className={`pill status-${e.status}`}>{e.status}</span></td>
              <td>{e.fired ? "yes" : "no"}</td>
              <td>{e.run ? <a href={`#/runs/${e.run}`}>{e.run}</a> : "–"}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {entries.length === 0 && <p className="muted">No trigger history.</p>}
    </>
  );
}
