/**
 * Settings of one action: runAfter statuses per predecessor, retry policy, timeout,
 * concurrency, secure inputs/outputs, tracked properties. Each control writes one
 * field of the action through `onPatch` / `onStatuses`.
 */
import { RUN_AFTER_STATUSES } from "../graph/edits";
import { getIn, setIn } from "../graph/upstream";
import type { WdlAction } from "../graph/wdl";
import { JsonField } from "./forms";

interface Props {
  action: WdlAction;
  isTrigger: boolean;
  onPatch: (patch: Partial<WdlAction>) => void;
  onStatuses: (source: string, statuses: string[]) => void;
}

export function SettingsTab({ action, isTrigger, onPatch, onStatuses }: Props) {
  const retry = (getIn(action, ["inputs", "retryPolicy"]) ?? {}) as Record<string, unknown>;
  const secure = (getIn(action, ["runtimeConfiguration", "secureData", "properties"]) ?? []) as string[];
  const setPath = (path: string[], value: unknown) => {
    const next = setIn(action, path, value) as WdlAction;
    onPatch({ [path[0] as string]: next[path[0] as string] });
  };
  const toggleSecure = (part: string, on: boolean) => {
    const props = on ? [...new Set([...secure, part])] : secure.filter((p) => p !== part);
    setPath(["runtimeConfiguration", "secureData", "properties"], props);
  };
  return (
    <div className="form settings">
      {!isTrigger && Object.keys(action.runAfter ?? {}).length > 0 && (
        <fieldset>
          <legend>Run after</legend>
          {Object.entries(action.runAfter ?? {}).map(([source, statuses]) => (
            <div key={source} className="run-after-row">
              <strong>{source}</strong>
              {RUN_AFTER_STATUSES.map((s) => {
                const on = statuses.some((x) => x.toLowerCase() === s.toLowerCase());
                return (
                  <label key={s} className="check">
                    <input
                      type="checkbox"
                      aria-label={`Run after ${source} is ${s}`}
                      checked={on}
                      onChange={(e) => onStatuses(source, e.target.checked ? [...statuses, s] : statuses.filter((x) => x.toLowerCase() !== s.toLowerCase()))}
                    />
                    {s}
                  </label>
                );
              })}
            </div>
          ))}
        </fieldset>
      )}
      {"inputs" in action && typeof action.inputs === "object" && (
        <fieldset>
          <legend>Retry policy</legend>
          <label className="field">
            <span className="field-label">Type</span>
            <select aria-label="Retry policy type" value={String(retry.type ?? "default")} onChange={(e) => setPath(["inputs", "retryPolicy"], e.target.value === "default" ? undefined : { ...retry, type: e.target.value })}>
              {["default", "none", "fixed", "exponential"].map((t) => <option key={t}>{t}</option>)}
            </select>
          </label>
          {(retry.type === "fixed" || retry.type === "exponential") && (
            <>
              <label className="field">
                <span className="field-label">Count</span>
                <input type="number" min={1} max={90} aria-label="Retry count" value={String(retry.count ?? 4)} onChange={(e) => setPath(["inputs", "retryPolicy", "count"], Number(e.target.value))} />
              </label>
              <label className="field">
                <span className="field-label">Interval (ISO 8601)</span>
                <input aria-label="Retry interval" value={String(retry.interval ?? "PT7S")} onChange={(e) => setPath(["inputs", "retryPolicy", "interval"], e.target.value)} />
              </label>
            </>
          )}
        </fieldset>
      )}
      <label className="field">
        <span className="field-label">Timeout (ISO 8601, e.g. PT1M)</span>
        <input aria-label="Timeout" value={String(getIn(action, ["limit", "timeout"]) ?? "")} onChange={(e) => setPath(["limit", "timeout"], e.target.value || undefined)} />
      </label>
      {(action.type === "Foreach" || isTrigger) && (
        <label className="field">
          <span className="field-label">{isTrigger ? "Concurrent runs" : "Parallel iterations"} (1–50)</span>
          <input
            type="number"
            min={1}
            max={50}
            aria-label="Concurrency"
            value={String(getIn(action, ["runtimeConfiguration", "concurrency", isTrigger ? "runs" : "repetitions"]) ?? "")}
            onChange={(e) => setPath(["runtimeConfiguration", "concurrency", isTrigger ? "runs" : "repetitions"], e.target.value ? Number(e.target.value) : undefined)}
          />
        </label>
      )}
      <fieldset>
        <legend>Secure data</legend>
        <label className="check"><input type="checkbox" aria-label="Secure inputs" checked={secure.includes("inputs")} onChange={(e) => toggleSecure("inputs", e.target.checked)} /> Secure inputs</label>
        <label className="check"><input type="checkbox" aria-label="Secure outputs" checked={secure.includes("outputs")} onChange={(e) => toggleSecure("outputs", e.target.checked)} /> Secure outputs</label>
      </fieldset>
      <JsonField label="Tracked properties" value={action.trackedProperties ?? {}} onChange={(v) => onPatch({ trackedProperties: v && Object.keys(v as object).length ? v : undefined })} />
    </div>
  );
}
