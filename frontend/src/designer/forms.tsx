/**
 * Form pieces for the action panel: hand-written field lists for built-ins
 * (`FieldSpec`s from builtins.ts), the Condition editor, a form generated from a
 * connector's JSON Schema, and a JSON field for everything else.
 */
import { useEffect, useState } from "react";
import type { JsonSchema } from "../api/types";
import type { Candidate } from "../expressions/completions";
import { getIn, setIn } from "../graph/upstream";
import { CONDITION_OPERATORS, type FieldSpec } from "./builtins";
import { ExpressionField } from "./ExpressionField";

type Value = Record<string, unknown>;

export function JsonField({ label, value, onChange }: { label: string; value: unknown; onChange: (v: unknown) => void }) {
  const shown = value === undefined ? "" : JSON.stringify(value, null, 2);
  const [text, setText] = useState(shown);
  const [error, setError] = useState("");
  useEffect(() => setText(shown), [shown]);
  return (
    <label className="field">
      <span className="field-label">{label}</span>
      <textarea
        aria-label={label}
        placeholder="JSON"
        rows={Math.min(12, text.split("\n").length + 1)}
        value={text}
        onChange={(e) => setText(e.target.value)}
        onBlur={() => {
          if (text === shown) return;
          if (!text.trim()) {
            onChange(undefined);
            setError("");
            return;
          }
          try {
            onChange(JSON.parse(text));
            setError("");
          } catch (err) {
            setError(`Invalid JSON: ${(err as Error).message}`);
          }
        }}
      />
      {error && <span className="field-error" role="alert">{error}</span>}
    </label>
  );
}

export function FieldForm({ fields, value, onChange, tokens }: { fields: FieldSpec[]; value: Value; onChange: (v: Value) => void; tokens: Candidate[] }) {
  return (
    <div className="form">
      {fields.map((f) => {
        const current = getIn(value, f.path);
        const set = (v: unknown) => onChange(setIn(value, f.path, v) as Value);
        const key = f.path.join(".");
        if (f.kind === "select") {
          return (
            <label className="field" key={key}>
              <span className="field-label">{f.label}</span>
              <select aria-label={f.label} value={String(current ?? "")} onChange={(e) => set(e.target.value)}>
                {(f.options ?? []).map((o) => <option key={o} value={o}>{o || "(any)"}</option>)}
              </select>
            </label>
          );
        }
        if (f.kind === "number") {
          return (
            <label className="field" key={key}>
              <span className="field-label">{f.label}</span>
              <input type="number" aria-label={f.label} value={current === undefined ? "" : String(current)} onChange={(e) => set(e.target.value === "" ? undefined : Number(e.target.value))} />
            </label>
          );
        }
        if (f.kind === "json") return <JsonField key={key} label={f.label} value={current} onChange={set} />;
        return <ExpressionField key={key} label={f.label} value={current} onChange={set} tokens={tokens} testId={`field-${key}`} />;
      })}
    </div>
  );
}

interface Predicate {
  op: string;
  left: unknown;
  right: unknown;
}

/** `{"and":[{"equals":[a,b]}]}` (the designer's shape) <-> one editable predicate. */
export function readCondition(expression: unknown): Predicate | null {
  const group = expression as { and?: unknown[]; or?: unknown[] } | undefined;
  const first = (group?.and ?? group?.or)?.[0] as Record<string, unknown[]> | undefined;
  if (!first) return null;
  const [op, args] = Object.entries(first)[0] ?? [];
  if (!op || !Array.isArray(args) || args.length !== 2) return null;
  return { op, left: args[0], right: args[1] };
}

export function writeCondition(expression: unknown, p: Predicate): unknown {
  const group = (expression ?? {}) as { and?: unknown[]; or?: unknown[] };
  const key = group.or && !group.and ? "or" : "and";
  const rest = (group[key] ?? []).slice(1);
  return { ...group, [key]: [{ [p.op]: [p.left, p.right] }, ...rest] };
}

export function ConditionEditor({ expression, onChange, tokens }: { expression: unknown; onChange: (v: unknown) => void; tokens: Candidate[] }) {
  if (typeof expression === "string") {
    return <ExpressionField label="Condition expression" value={expression} onChange={onChange} tokens={tokens} testId="field-expression" />;
  }
  const p = readCondition(expression);
  if (!p) return <JsonField label="Condition (JSON)" value={expression} onChange={onChange} />;
  return (
    <div className="form condition">
      <ExpressionField label="Left operand" value={p.left} onChange={(left) => onChange(writeCondition(expression, { ...p, left }))} tokens={tokens} testId="field-condition-left" />
      <label className="field">
        <span className="field-label">Operator</span>
        <select aria-label="Operator" value={p.op} onChange={(e) => onChange(writeCondition(expression, { ...p, op: e.target.value }))}>
          {[...new Set([p.op, ...CONDITION_OPERATORS])].map((o) => <option key={o}>{o}</option>)}
        </select>
      </label>
      <ExpressionField label="Right operand" value={p.right} onChange={(right) => onChange(writeCondition(expression, { ...p, right }))} tokens={tokens} testId="field-condition-right" />
    </div>
  );
}

function resolve(schema: JsonSchema, root: JsonSchema): JsonSchema {
  if (schema.$ref?.startsWith("#/$defs/")) return root.$defs?.[schema.$ref.slice(8)] ?? schema;
  if (schema.anyOf?.length) return resolve(schema.anyOf.find((s) => s.type !== "null") ?? schema, root);
  return schema;
}

/** A form generated from a connector's JSON Schema (one level of objects; JSON for the rest). */
export function SchemaForm({ schema, value, onChange, tokens }: { schema: JsonSchema; value: Value; onChange: (v: Value) => void; tokens: Candidate[] }) {
  const props = Object.entries(schema.properties ?? {});
  if (props.length === 0) return <JsonField label="Inputs (JSON)" value={value} onChange={(v) => onChange((v ?? {}) as Value)} />;
  return (
    <div className="form">
      {props.map(([key, raw]) => {
        const s = resolve(raw, schema);
        const label = `${s.title ?? raw.title ?? key}${schema.required?.includes(key) ? " *" : ""}`;
        const current = value?.[key];
        const set = (v: unknown) => onChange({ ...(value ?? {}), [key]: v });
        if (s.enum) {
          return (
            <label className="field" key={key}>
              <span className="field-label">{label}</span>
              <select aria-label={label} value={String(current ?? s.default ?? "")} onChange={(e) => set(e.target.value)}>
                {s.enum.map((o) => <option key={String(o)}>{String(o)}</option>)}
              </select>
              {s.description && <span className="field-help">{s.description}</span>}
            </label>
          );
        }
        if (s.type === "object" || s.type === "array") return <JsonField key={key} label={label} value={current ?? s.default} onChange={set} />;
        return <ExpressionField key={key} label={label} value={current ?? ""} onChange={set} tokens={tokens} testId={`field-${key}`} />;
      })}
    </div>
  );
}
