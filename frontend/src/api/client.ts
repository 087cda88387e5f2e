/**
 * The one module that talks HTTP. Every call the UI makes is a typed function here,
 * so a change in the API's shape touches this file only. Session auth: the browser
 * sends its Django session cookie and the CSRF token from the `csrftoken` cookie.
 */
import type { WdlDefinition } from "../graph/wdl";
import type {
  ApiErrorBody,
  CallbackUrl,
  Connector,
  Diff,
  Page,
  Problem,
  RunDetail,
  RunSummary,
  TriggerHistoryEntry,
  ValidationResult,
  Version,
  Workflow,
  WorkflowSummary,
} from "./types";

export const API = "/api/v1";

export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly code: string,
    readonly details: Problem[] = [],
  ) {
    super(message);
  }
}

function csrfToken(): string {
  const m = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
  return m ? decodeURIComponent(m[1] as string) : "";
}

export async function request<T>(method: string, url: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (method !== "GET") headers["X-CSRFToken"] = csrfToken();
  const res = await fetch(url, {
    method,
    headers,
    credentials: "same-origin",
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  const data = text ? safeJson(text) : undefined;
  if (!res.ok) throw toError(res.status, data, text);
  return data as T;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function toError(status: number, data: unknown, text: string): ApiError {
  const err = (data as ApiErrorBody | undefined)?.error;
  const detail = (data as { detail?: string } | undefined)?.detail;
  const message = err?.message ?? detail ?? (text.slice(0, 200) || `HTTP ${status}`);
  return new ApiError(message, status, err?.code ?? `HTTP${status}`, err?.details ?? []);
}

const enc = encodeURIComponent;
const wf = (name: string) => `${API}/workflows/${enc(name)}`;

function query(params: Record<string, string | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v) q.set(k, v);
  const s = q.toString();
  return s ? `?${s}` : "";
}

// ---------------------------------------------------------------- workflows

export const listWorkflows = (search = "") =>
  request<Page<WorkflowSummary> | WorkflowSummary[]>("GET", `${API}/workflows/${query({ search, page_size: "500" })}`).then(items);

export const getWorkflow = (name: string) => request<Workflow>("GET", `${wf(name)}/`);

export const createWorkflow = (name: string, definition: WdlDefinition, kind = "Stateful") =>
  request<Workflow>("POST", `${API}/workflows/`, { name, definition, kind });

/** Saving makes a new version (unless nothing changed). */
export const saveWorkflow = (name: string, definition: WdlDefinition, kind?: string) =>
  request<unknown>("PUT", `${wf(name)}/`, kind ? { definition, kind } : { definition }).then(unwrapWorkflow);

export const renameWorkflow = (name: string, newName: string) =>
  request<unknown>("POST", `${wf(name)}/rename/`, { name: newName }).then(unwrapWorkflow);

export const deleteWorkflow = (name: string) => request<void>("DELETE", `${wf(name)}/`);
export const enableWorkflow = (name: string) => request<unknown>("POST", `${wf(name)}/enable/`);
export const disableWorkflow = (name: string) => request<unknown>("POST", `${wf(name)}/disable/`);

export const validateDefinition = (definition: WdlDefinition, kind?: string) =>
  request<ValidationResult>("POST", `${API}/validate/`, kind ? { definition, kind } : { definition });

export const listVersions = (name: string) =>
  request<Page<Version> | Version[]>("GET", `${wf(name)}/versions/`).then(items);
export const getVersion = (name: string, n: number) => request<Version>("GET", `${wf(name)}/versions/${n}/`);
export const diffVersions = (name: string, base: number, target: number) =>
  request<Diff>("GET", `${wf(name)}/diff/${query({ base: String(base), target: String(target) })}`);
export const restoreVersion = (name: string, n: number) =>
  request<unknown>("POST", `${wf(name)}/versions/${n}/restore/`).then(unwrapWorkflow);

export const callbackUrl = (name: string, trigger: string) =>
  request<CallbackUrl>("POST", `${wf(name)}/triggers/${enc(trigger)}/callback-url/`);

export const runTrigger = (name: string, trigger: string, body: unknown) =>
  request<{ id: string; status: string }>("POST", `${wf(name)}/triggers/${enc(trigger)}/run/`, { body });

export const triggerHistory = (name: string, trigger: string) =>
  request<Page<TriggerHistoryEntry> | TriggerHistoryEntry[]>("GET", `${wf(name)}/triggers/${enc(trigger)}/history/`).then(items);

export const lastRun = (name: string) =>
  request<Page<RunSummary>>("GET", `${API}/runs/${query({ workflow: name, page_size: "1" })}`).then((p) => p.results[0] ?? null);

// ---------------------------------------------------------------- runs

export interface RunFilter {
  workflow?: string;
  status?: string;
  cursor?: string;
}

export const listRuns = (filter: RunFilter) =>
  request<Page<RunSummary>>("GET", filter.cursor ?? `${API}/runs/${query({ workflow: filter.workflow, status: filter.status })}`);

export const getRun = (id: string) => request<RunDetail>("GET", `${API}/runs/${enc(id)}/`);
export const cancelRun = (id: string) => request<unknown>("POST", `${API}/runs/${enc(id)}/cancel/`);
export const resubmitRun = (id: string, fromAction = "") =>
  request<{ id: string }>("POST", `${API}/runs/${enc(id)}/resubmit/`, { from_action: fromAction });

/** Large inputs/outputs are fetched lazily through their content links. */
export const getContent = (uri: string) => request<unknown>("GET", uri);

// ---------------------------------------------------------------- catalog & broker

export const listConnectors = () =>
  request<Page<Connector> | Connector[]>("GET", `${API}/connectors/`).then(items);

export const brokerList = (path: string) =>
  request<{ value: Record<string, unknown>[] }>("GET", `${API}/broker/${path}`).then(items);

export const brokerGet = (path: string) => request<unknown>("GET", `${API}/broker/${path}`);

// ---------------------------------------------------------------- helpers

export function items<T>(data: Page<T> | T[] | { value: T[] }): T[] {
  if (Array.isArray(data)) return data;
  if (data && "value" in data) return data.value ?? [];
  return (data as Page<T>)?.results ?? [];
}

function unwrapWorkflow(data: unknown): Workflow {
  const d = data as { workflow?: Workflow } & Workflow;
  return d?.workflow ?? d;
}
