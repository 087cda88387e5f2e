/** Shapes of the Sluice REST API (`/api/v1/`) as the browser uses them. */
import type { WdlDefinition } from "../graph/wdl";

export interface Page<T> {
  results: T[];
  next: string | null;
  previous: string | null;
  count?: number;
}

export interface TriggerSummary {
  name: string;
  type: string;
  kind: string;
}

export interface WorkflowSummary {
  name: string;
  description: string;
  state: "Enabled" | "Disabled";
  kind: string;
  version: number | null;
  triggers: TriggerSummary[];
  created_at: string;
  updated_at: string;
  last_run?: { id: string; status: string; created_at?: string } | null;
  last_run_status?: string | null;
}

export interface Workflow extends WorkflowSummary {
  definition: WdlDefinition;
}

export interface Problem {
  pointer: string;
  message: string;
}

export interface ValidationResult {
  valid: boolean;
  problems: Problem[];
}

export interface Version {
  number: number;
  kind: string;
  hash: string;
  author: string | null;
  created_at: string;
  definition?: WdlDefinition;
}

export interface DiffChange {
  op: "add" | "remove" | "replace";
  pointer: string;
  from?: unknown;
  to?: unknown;
}

export interface Diff {
  base: number;
  target: number;
  changes: DiffChange[];
}

export interface CallbackUrl {
  value: string;
  method: string;
  base_path: string;
  relative_path: string;
  queries: Record<string, string>;
}

export interface Connector {
  kind: string;
  title: string;
  version: string;
  description: string;
  icon: string;
  inputs: JsonSchema;
  outputs: JsonSchema;
  examples: unknown[];
}

export interface JsonSchema {
  type?: string | string[];
  title?: string;
  description?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  enum?: unknown[];
  default?: unknown;
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  $ref?: string;
  $defs?: Record<string, JsonSchema>;
  [key: string]: unknown;
}

export interface RunSummary {
  id: string;
  workflow: string;
  version: number;
  status: string;
  trigger_name: string;
  client_tracking_id: string;
  correlation_id: string;
  resubmitted_from: string | null;
  created_at: string;
  started_at: string | null;
  ended_at: string | null;
  duration_ms: number | null;
  error: unknown;
}

export interface ContentLink {
  uri: string;
  content_size: number;
}

export interface ActionRunNode {
  name: string;
  path: string;
  type: string;
  status?: string;
  code?: string;
  iteration?: number | null;
  start_time?: string | null;
  end_time?: string | null;
  duration_ms?: number | null;
  attempts?: number;
  retry_history?: unknown[];
  error?: unknown;
  tracked_properties?: unknown;
  inputs?: unknown;
  outputs?: unknown;
  inputs_link?: ContentLink;
  outputs_link?: ContentLink;
  children: ActionRunNode[];
}

export interface TriggerRecord {
  name: string;
  status?: string;
  inputs?: unknown;
  outputs?: unknown;
  inputs_link?: ContentLink;
  outputs_link?: ContentLink;
  startTime?: string;
  endTime?: string;
  [key: string]: unknown;
}

export interface RunDetail extends RunSummary {
  parent_run: string | null;
  parent_action: string;
  trigger: TriggerRecord;
  actions: ActionRunNode[];
  outputs: unknown;
  response: unknown;
  tracked_properties: unknown;
  links: Record<string, string>;
}

export interface TriggerHistoryEntry {
  id: number;
  trigger_name: string;
  status: string;
  fired: boolean;
  run: string | null;
  inputs: unknown;
  outputs: unknown;
  error: unknown;
  scheduled_for: string | null;
  created_at: string;
}

export interface ApiErrorBody {
  error?: { code?: string; message?: string; details?: Problem[] };
}
