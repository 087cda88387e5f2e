/** The Switch editor: the value to switch on, and its cases (add, rename, match value, delete). */
import { useState } from "react";
import type { Candidate } from "../expressions/completions";
import { addSwitchCase, deleteSwitchCase, renameSwitchCase, setSwitchCaseValue } from "../graph/edits";
import type { WdlAction, WdlDefinition } from "../graph/wdl";
import { ExpressionField } from "./ExpressionField";

interface Props {
  definition: WdlDefinition;
  name: string;
  action: WdlAction;
  tokens: Candidate[];
  onPatch: (p: Partial<WdlAction>) => void;
  attempt: (fn: () => WdlDefinition) => void;
}

export function SwitchCases({ definition, name, action, tokens, onPatch, attempt }: Props) {
  return (
    <div className="form">
      <ExpressionField label="On" value={action.expression} onChange={(expression) => onPatch({ expression })} tokens={tokens} testId="field-expression" />
      {Object.entries(action.cases ?? {}).map(([caseName, c]) => (
        <fieldset key={caseName}>
          <legend>Case</legend>
          <CaseName value={caseName} onRename={(n) => attempt(() => renameSwitchCase(definition, name, caseName, n))} />
          <ExpressionField label={`Equals (${caseName})`} value={c.case} onChange={(v) => attempt(() => setSwitchCaseValue(definition, name, caseName, v))} tokens={tokens} />
          <button type="button" onClick={() => attempt(() => deleteSwitchCase(definition, name, caseName))} aria-label={`Delete case ${caseName}`}>Delete case</button>
        </fieldset>
      ))}
      <button type="button" onClick={() => attempt(() => addSwitchCase(definition, name).definition)}>Add case</button>
    </div>
  );
}

function CaseName({ value, onRename }: { value: string; onRename: (n: string) => void }) {
  const [draft, setDraft] = useState(value);
  return (
    <label className="field">
      <span className="field-label">Name</span>
      <input aria-label={`Name of case ${value}`} value={draft} onChange={(e) => setDraft(e.target.value)} onBlur={() => draft !== value && onRename(draft)} />
    </label>
  );
}
