/** The workflow list: search, state, last run, create, rename, delete, enable/disable. */
import { useCallback, useEffect, useState } from "react";
import {
  createWorkflow,
  deleteWorkflow,
  disableWorkflow,
  enableWorkflow,
  lastRun,
  listWorkflows,
  renameWorkflow,
} from "../api/client";
import type { RunSummary, WorkflowSummary } from "../api/types";
import { emptyDefinition } from "../graph/wdl";

export function WorkflowList() {
  const [workflows, setWorkflows] = useState<WorkflowSummary[]>([]);
  const [runs, setRuns] = useState<Record<string, RunSummary | null>>({});
  const [search, setSearch] = useState("");
  const [newName, setNewName] = useState("");
  const [error, setError] = useState("");

  const refresh = useCallback(() => {
    listWorkflows()
      .then((list) => {
        setWorkflows(list);
        for (const w of list) lastRun(w.name).then((r) => setRuns((m) => ({ ...m, [w.name]: r }))).catch(() => undefined);
      })
      .catch((e: Error) => setError(e.message));
  }, []);
  useEffect(refresh, [refresh]);

  const act = (fn: () => Promise<unknown>) => fn().then(refresh).catch((e: Error) => setError(e.message));
  const create = async () => {
    try {
      const wf = await createWorkflow(newName.trim(), emptyDefinition());
      window.location.hash = `#/workflows/${encodeURIComponent(wf.name)}`;
    } catch (e) {
      setError((e as Error).message);
    }
  };
  const shown = workflows.filter((w) => w.name.toLowerCase().includes(search.toLowerCase()));

  return (
    <section className="page">
      <h1>Workflows</h1>
      {error && <p className="error" role="alert">{error}</p>}
      <div className="row">
        <input type="search" aria-label="Search workflows" placeholder="Search" value={search} onChange={(e) => setSearch(e.target.value)} />
        <form
          className="row"
          onSubmit={(e) => {
            e.preventDefault();
            void create();
          }}
        >
          <input aria-label="New workflow name" placeholder="new-workflow-name" value={newName} onChange={(e) => setNewName(e.target.value)} required pattern="[A-Za-z0-9][A-Za-z0-9_\-]*" />
          <button type="submit">Create</button>
        </form>
      </div>
      <table className="grid">
        <thead>
          <tr><th>Name</th><th>State</th><th>Version</th><th>Trigger</th><th>Last run</th><th>Actions</th></tr>
        </thead>
        <tbody>
          {shown.map((w) => {
            const run = runs[w.name];
            return (
              <tr key={w.name} data-testid={`workflow-${w.name}`}>
                <td><a href={`#/workflows/${encodeURIComponent(w.name)}`}>{w.name}</a></td>
                <td><span className={`pill state-${w.state}`}>{w.state}</span></td>
                <td>{w.version ?? "–"}</td>
                <td>{w.triggers.map((t) => `${t.name} (${t.type})`).join(", ")}</td>
                <td>{run ? <a href={`#/runs/${run.id}`} className={`pill status-${run.status}`}>{run.status}</a> : "–"}</td>
                <td className="row">
                  <a href={`#/workflows/${encodeURIComponent(w.name)}/runs`}>Runs</a>
                  {w.state === "Enabled" ? (
                    <button type="button" onClick={() => act(() => disableWorkflow(w.name))} aria-label={`Disable ${w.name}`}>Disable</button>
                  ) : (
                    <button type="button" onClick={() => act(() => enableWorkflow(w.name))} aria-label={`Enable ${w.name}`}>Enable</button>
                  )}
                  <button
                    type="button"
                    aria-label={`Rename ${w.name}`}
                    onClick={() => {
                      const n = window.prompt("New name", w.name);
                      if (n && n !== w.name) act(() => renameWorkflow(w.name, n));
                    }}
                  >
                    Rename
                  </button>
                  <button
                    type="button"
                    aria-label={`Delete ${w.name}`}
                    onClick={() => {
                      if (window.confirm(`Delete ${w.name} and its runs?`)) act(() => deleteWorkflow(w.name));
                    }}
                  >
                    Delete
                  </button>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {shown.length === 0 && <p className="muted">No workflows yet.</p>}
    </section>
  );
}
