/**
 * Broker views: Event Grid topics and their subscriptions, Service Bus queues,
 * topics and subscriptions, Event Hubs and their consumer groups, with the
 * counters the API reports (active, backlog, dead-letters…), and a peek at the
 * dead-lettered messages of a queue or subscription. Columns come from the API's
 * rows, so new counters show up without a UI change.
 */
import { useEffect, useState } from "react";
import { brokerGet, brokerList } from "../api/client";

type Row = Record<string, unknown>;

interface Kind {
  path: string;
  title: string;
  /** Child listing for a row (subscriptions, consumer groups). */
  children?: (name: string) => string;
  /** Rows that are message channels can be peeked at (dead-letters). */
  deadLetters?: (name: string) => string;
}

const enc = encodeURIComponent;
const KINDS: Kind[] = [
  { path: "eventgrid/topics", title: "Event Grid topics", children: (t) => `eventgrid/topics/${enc(t)}/subscriptions` },
  { path: "queues", title: "Service Bus queues", deadLetters: (q) => `queues/${enc(q)}/deadletters` },
  { path: "topics", title: "Service Bus topics", children: (t) => `topics/${enc(t)}/subscriptions` },
  { path: "hubs", title: "Event Hubs", children: (h) => `hubs/${enc(h)}/consumergroups` },
];

function cell(v: unknown): string {
  if (v === null || v === undefined) return "";
  return typeof v === "object" ? JSON.stringify(v) : String(v);
}

function Table({ rows, label, actions }: { rows: Row[]; label: string; actions: (r: Row) => React.ReactNode }) {
  const columns = [...new Set(rows.flatMap((r) => Object.keys(r)))].slice(0, 12);
  if (!rows.length) return <p className="muted">None.</p>;
  return (
    <table className="grid" aria-label={label}>
      <thead><tr>{columns.map((c) => <th key={c}>{c}</th>)}<th /></tr></thead>
      <tbody>
        {rows.map((r, i) => (
          <tr key={cell(r.name ?? i)}>
            {columns.map((c) => <td key={c}>{cell(r[c])}</td>)}
            <td className="row">{actions(r)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function BrokerView() {
  const [kind, setKind] = useState<Kind>(KINDS[0] as Kind);
  const [rows, setRows] = useState<Row[]>([]);
  const [overview, setOverview] = useState<unknown>(null);
  const [child, setChild] = useState<{ title: string; path: string; rows: Row[] } | null>(null);
  const [peek, setPeek] = useState<{ title: string; rows: Row[] } | null>(null);
  const [error, setError] = useState("");
  useEffect(() => {
    brokerGet("").then(setOverview).catch(() => setOverview(null));
  }, []);
  useEffect(() => {
    setRows([]);
    setChild(null);
    setPeek(null);
    setError("");
    brokerList(kind.path).then(setRows).catch((e: Error) => setError(e.message));
  }, [kind]);
  const open = (name: string) => {
    const path = kind.children?.(name);
    if (path) brokerList(path).then((r) => setChild({ title: name, path, rows: r })).catch((e: Error) => setError(e.message));
  };
  const peekAt = (title: string, path: string) =>
    brokerList(path).then((r) => setPeek({ title, rows: r })).catch((e: Error) => setError(e.message));
  return (
    <section className="page">
      <h1>Broker</h1>
      {overview ? <pre className="overview muted">{JSON.stringify(overview)}</pre> : null}
      <nav className="seg" role="tablist" aria-label="Broker entities">
        {KINDS.map((k) => (
          <button key={k.path} type="button" role="tab" aria-selected={kind.path === k.path} onClick={() => setKind(k)}>{k.title}</button>
        ))}
      </nav>
      {error && <p className="error" role="alert">{error}</p>}
      <Table
        rows={rows}
        label={kind.title}
        actions={(r) => (
          <>
            {kind.children && <button type="button" onClick={() => open(cell(r.name))}>Open</button>}
            {kind.deadLetters && <button type="button" onClick={() => peekAt(`${cell(r.name)} dead-letters`, kind.deadLetters?.(cell(r.name)) ?? "")}>Peek dead-letters</button>}
          </>
        )}
      />
      {child && (
        <>
          <h2>{child.title}</h2>
          <Table
            rows={child.rows}
            label={`Children of ${child.title}`}
            actions={(r) =>
              kind.path === "hubs" ? null : (
                <button type="button" onClick={() => peekAt(`${child.title}/${cell(r.name)} dead-letters`, `${child.path}/${enc(cell(r.name))}/deadletters`)}>
                  Peek dead-letters
                </button>
              )
            }
          />
        </>
      )}
      {peek && (
        <section className="content">
          <h4>{peek.title} ({peek.rows.length})</h4>
          <pre>{JSON.stringify(peek.rows, null, 2)}</pre>
        </section>
      )}
    </section>
  );
}
