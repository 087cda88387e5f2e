/**
 * One expression field: CodeMirror with WDL highlighting, autocomplete of functions
 * and upstream outputs, and inline parse errors. Non-string values (numbers,
 * objects) are shown as JSON and written back typed when the text is valid JSON.
 */
import { useMemo, useRef } from "react";
import { CodeEditor } from "../components/CodeEditor";
import { wdlExtensions } from "../expressions/codemirror";
import { type Candidate, functionCandidates } from "../expressions/completions";
import { fromText, toText } from "../expressions/values";

interface Props {
  label: string;
  value: unknown;
  onChange: (value: unknown) => void;
  tokens: Candidate[];
  multiline?: boolean;
  testId?: string;
}

export function ExpressionField({ label, value, onChange, tokens, multiline, testId }: Props) {
  const tokensRef = useRef(tokens);
  tokensRef.current = tokens;
  const extensions = useMemo(() => wdlExtensions(() => [...tokensRef.current, ...functionCandidates()]), []);
  const previous = useRef(value);
  previous.current = value;
  return (
    <label className="field">
      <span className="field-label">{label}</span>
      <CodeEditor
        label={label}
        testId={testId}
        value={toText(value)}
        singleLine={!multiline}
        extensions={extensions}
        placeholder="Type @ for an expression"
        onChange={(text) => onChange(fromText(text, previous.current))}
      />
    </label>
  );
}
