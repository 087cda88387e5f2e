/**
 * The panel for the selected trigger or action: name (rename follows references),
 * Parameters (built-in form, Condition editor or connector schema form), Settings,
 * and Code (the action's JSON). Everything is written back through `onEdit` as a new
 * definition; errors from edits are shown, never thrown.
 */
import { useEffect, useState } from "react";
import type { Connector } from "../api/types";
import type { Candidate } from "../expressions/completions";
import { renameAction, setEdgeStatuses, updateAction, updateTrigger } from "../graph/edits";
import { TRIGGER_PREFIX } from "../graph/mapping";
import { findAction, type WdlAction, type WdlDefinition } from "../graph/wdl";
import { BUILTIN_BY_TYPE } from "./builtins";
import { ConditionEditor, FieldForm, JsonField, SchemaForm } from "./forms";
import { SettingsTab } from "./SettingsTab";
import { SwitchCases } from "./SwitchCases";
import { TriggerTools } from "./TriggerTools";

interface Props {
  definition: WdlDefinition;
  selected: string;
  connectors: Connector[];
  tokens: Candidate[];
  workflowName: string | null;
  onEdit: (next: WdlDefinition, select?: string) => void;
  onDelete: () => void;
  onClose: () => void;
}

type Tab = "parameters" | "settings" | "code";

export function ActionPanel(props: Props) {
  const { definition, selected } = props;
  const isTrigger = selected.startsWith(TRIGGER_PREFIX);
  const name = isTrigger ? selected.slice(TRIGGER_PREFIX.length) : selected;
  const action = (isTrigger ? definition.triggers?.[name] : findAction(definition, name)?.action) as WdlAction | undefined;
  const [tab, setTab] = useState<Tab>("parameters");
  const [draftName, setDraftName] = useState(name);
  const [error, setError] = useState("");
  useEffect(() => {
    setDraftName(name);
    setError("");
  }, [name]);
  if (!action) return null;

  const attempt = (fn: () => WdlDefinition, select?: string) => {
    try {
      props.onEdit(fn(), select);
      setError("");
    } catch (e) {
      setError((e as Error).message);
    }
  };
  const patch = (p: Partial<WdlAction>) =>
    attempt(() => (isTrigger ? updateTrigger(definition, name, p) : updateAction(definition, name, p)));
  const rename = () => {
    if (draftName === name) return;
    if (isTrigger) {
      const triggers = Object.fromEntries(Object.entries(definition.triggers ?? {}).map(([k, v]) => [k === name ? draftName : k, v]));
      attempt(() => ({ ...definition, triggers }), `${TRIGGER_PREFIX}${draftName}`);
    } else {
      attempt(() => renameAction(definition, name, draftName), draftName);
    }
  };

  return (
    <aside className="panel" aria-label={`Details of ${name}`} data-testid="action-panel">
      <header>
        <input
          className="panel-name"
          aria-label="Action name"
          value={draftName}
          onChange={(e) => setDraftName(e.target.value)}
          onBlur={rename}
          onKeyDown={(e) => {
            if (e.key === "Enter") rename();
          }}
        />
        <span className="panel-type">{action.type}{action.kind ? ` · ${String(action.kind)}` : ""}</span>
        <button type="button" onClick={props.onDelete} aria-label={`Delete ${name}`}>Delete</button>
        <button type="button" onClick={props.onClose} aria-label="Close panel">×</button>
      </header>
      {error && <p className="error" role="alert">{error}</p>}
      <nav className="tabs" role="tablist">
        {(["parameters", "settings", "code"] as Tab[]).map((t) => (
          <button key={t} type="button" role="tab" aria-selected={tab === t} onClick={() => setTab(t)}>
            {t[0]?.toUpperCase() + t.slice(1)}
          </button>
        ))}
      </nav>
      <div className="panel-body">
        {tab === "parameters" && (
          <>
            {isTrigger && <TriggerTools workflowName={props.workflowName} triggerName={name} trigger={action} />}
            {action.type === "Switch" ? (
              <SwitchCases definition={definition} name={name} action={action} tokens={props.tokens} onPatch={patch} attempt={(fn) => attempt(fn)} />
            ) : (
              <Parameters action={action} connectors={props.connectors} tokens={props.tokens} onPatch={patch} />
            )}
          </>
        )}
        {tab === "settings" && (
          <SettingsTab
            action={action}
            isTrigger={isTrigger}
            onPatch={patch}
            onStatuses={(source, statuses) => attempt(() => setEdgeStatuses(definition, source, name, statuses))}
          />
        )}
        {tab === "code" && (
          <JsonField
            label="Action JSON"
            value={action}
            onChange={(v) => {
              const next = v as WdlAction;
              if (!next || typeof next.type !== "string") return setError("An action needs a \"type\"");
              attempt(() => (isTrigger ? updateTrigger(definition, name, next) : updateAction(definition, name, next)));
            }}
          />
        )}
      </div>
    </aside>
  );
}

function Parameters({ action, connectors, tokens, onPatch }: { action: WdlAction; connectors: Connector[]; tokens: Candidate[]; onPatch: (p: Partial<WdlAction>) => void }) {
  if (action.type === "If") {
    return <ConditionEditor expression={action.expression} onChange={(expression) => onPatch({ expression })} tokens={tokens} />;
  }
  const builtin = BUILTIN_BY_TYPE.get(action.type);
  if (builtin && builtin.fields.length) {
    return <FieldForm fields={builtin.fields} value={action} tokens={tokens} onChange={(v) => onPatch(v as Partial<WdlAction>)} />;
  }
  const connector = connectors.find((c) => c.kind.toLowerCase() === connectorKind(action).toLowerCase());
  if (connector) {
    const sp = action.type === "ServiceProvider";
    const inputs = (action.inputs ?? {}) as Record<string, unknown>;
    const value = (sp ? inputs.parameters : inputs) as Record<string, unknown>;
    return (
      <>
        <p className="hint">{connector.description}</p>
        <SchemaForm
          schema={connector.inputs}
          value={value ?? {}}
          tokens={tokens}
          onChange={(v) => onPatch({ inputs: sp ? { ...inputs, parameters: v } : v })}
        />
      </>
    );
  }
  return <JsonField label="Inputs (JSON)" value={action.inputs} onChange={(inputs) => onPatch({ inputs })} />;
}

function connectorKind(action: WdlAction): string {
  if (action.type !== "ServiceProvider") return action.type;
  const cfg = ((action.inputs ?? {}) as { serviceProviderConfiguration?: { serviceProviderId?: string; operationId?: string } }).serviceProviderConfiguration;
  const provider = (cfg?.serviceProviderId ?? "").split("/").pop();
  return `ServiceProvider/${provider}/${cfg?.operationId ?? ""}`;
}
