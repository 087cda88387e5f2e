/**
 * Broker views: Event Grid topics and subscriptions, Event Hubs and their
 * partitions, Service Bus queues, topics and subscriptions, with counts, backlog
 * and dead-letters, and a peek at the messages of one entity. Columns are taken
 * from the API's rows, so new counters show up without a UI change.
 */
import { useEffect, useState } from "react";
import { brokerGet, brokerList } from "../api/client";

const KINDS: { path: string; title: string }[] = [
  { path: "topics/", title: "Event Grid topics" },
  { path: "subscriptions/", title: "Event subscriptions" },
  { path: "hubs/", title: "Event Hubs" },
  { path: "queues/", title: "Service Bus queues" },
  { path: "sb-topics/", title: "Service Bus topics" },
];

function cell(v: unknown): string {
  if (v === null || v === undefined) return "";
  return typeof v === "object" ? JSON.stringify(v) : String(v);
}

export function BrokerView() {
  const [kind, setKind] = useState(KINDS[0]?.path ?? "");
  const [rows, setRows] = useState<Record<string, unknown>[]>([]);
  const [error, setError] = useState("");
  const [peek, setPeek] = useState<{ name: string; data: unknown } | null>(null);
  useEffect(() => {
    setRows([]);
    setError("");
    brokerList(kind).then(setRows).catch((e: Error) => setError(e.message));
  }, [kind]);
  const columns = [...new Set(rows.flatMap((r) => Object.keys(r)))].slice(0, 10);
  const peekAt = (name: string) =>
    brokerGet(`${kind}${encodeURIComponent(name)}/peek/`).then((data) => setPeek({ name, data })).catch((e: Error) => setError(e.message));
  return (
    <section className="page">
      <h1>Broker</h1>
      <nav className="seg" role="tablist" aria-label="Broker entities">
        {KINDS.map((k) => (
          <button key={k.path} type="button" role="tab" aria-selected={kind === k.path} onClick={() => setKind(k.path)}>{k.title}</button>
        ))}
      </nav>
      {error && <p className="error" role="alert">{error}</p>}
      <table className="grid">
        <thead><tr>{columns.map((c) => <th key={c}>{c}</th>)}<th /></tr></thead>
        <tbody>
          {rows.map((r, i) => (
            <tr key={cell(r.name ?? r.id ?? i)}>
              {columns.map((c) => <td key={c}>{cell(r[c])}</td>)}
              <td><button type="button" onClick={() => peekAt(cell(r.name ?? r.id))}>Peek</button></td>
            </tr>
          ))}
        </tbody>
      </table>
      {rows.length === 0 && !error && <p className="muted">Nothing here yet.</p>}
      {peek && (
        <section className="content">
          <h4>Peek at {peek.name}</h4>
          <pre>{JSON.stringify(peek.data, null, 2)}</pre>
        </section>
      )}
    </section>
  );
}
