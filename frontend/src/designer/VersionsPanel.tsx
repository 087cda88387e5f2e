/** Version history of a saved workflow: list, diff against the current version, restore. */
import { useEffect, useState } from "react";
import { diffVersions, listVersions, restoreVersion } from "../api/client";
import type { Diff, Version, Workflow } from "../api/types";

interface Props {
  name: string;
  current: number | null;
  onRestored: (wf: Workflow) => void;
  onClose: () => void;
}

export function VersionsPanel({ name, current, onRestored, onClose }: Props) {
  const [versions, setVersions] = useState<Version[]>([]);
  const [diff, setDiff] = useState<Diff | null>(null);
  const [error, setError] = useState("");
  useEffect(() => {
    listVersions(name).then(setVersions).catch((e: Error) => setError(e.message));
  }, [name, current]);
  const show = (n: number) => diffVersions(name, n, current ?? n).then(setDiff).catch((e: Error) => setError(e.message));
  const restore = (n: number) =>
    restoreVersion(name, n).then(onRestored).catch((e: Error) => setError(e.message));
  return (
    <aside className="panel versions" aria-label="Version history">
      <header>
        <strong>Versions</strong>
        <button type="button" onClick={onClose} aria-label="Close versions">×</button>
      </header>
      {error && <p className="error" role="alert">{error}</p>}
      <ul>
        {versions.map((v) => (
          <li key={v.number}>
            <span>v{v.number}{v.number === current ? " (current)" : ""}</span>
            <span className="muted">{new Date(v.created_at).toLocaleString()} {v.author ?? ""}</span>
            <button type="button" onClick={() => show(v.number)} aria-label={`Diff version ${v.number} with current`}>Diff</button>
            {v.number !== current && <button type="button" onClick={() => restore(v.number)} aria-label={`Restore version ${v.number}`}>Restore</button>}
          </li>
        ))}
      </ul>
      {diff && (
        <div className="diff" data-testid="diff">
          <h4>v{diff.base} → v{diff.target}: {diff.changes.length} change(s)</h4>
          {diff.changes.map((c) => (
            <div key={`${c.op}${c.pointer}`} className={`diff-${c.op}`}>
              <code>{c.op} {c.pointer}</code>
              {c.op !== "add" && <pre className="from">{JSON.stringify(c.from, null, 1)?.slice(0, 400)}</pre>}
              {c.op !== "remove" && <pre className="to">{JSON.stringify(c.to, null, 1)?.slice(0, 400)}</pre>}
            </div>
          ))}
        </div>
      )}
    </aside>
  );
}
