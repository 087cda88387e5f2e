/**
 * Code view: the whole definition as JSON in CodeMirror, kept in sync both ways.
 * Valid JSON edits replace the definition (and so the canvas); invalid JSON shows a
 * lint error and changes nothing. Validation problems from the server are listed
 * with their JSON pointers (they are also pinned to nodes on the canvas).
 */
import { json, jsonParseLinter } from "@codemirror/lang-json";
import { linter, lintGutter } from "@codemirror/lint";
import { useMemo, useRef, useState } from "react";
import type { Problem } from "../api/types";
import { CodeEditor } from "../components/CodeEditor";
import type { WdlDefinition } from "../graph/wdl";

interface Props {
  definition: WdlDefinition;
  problems: Problem[];
  onChange: (next: WdlDefinition) => void;
}

export function CodeView({ definition, problems, onChange }: Props) {
  // Keep the user's own formatting while the definition is the one they just typed.
  const emitted = useRef<{ def: WdlDefinition; text: string } | null>(null);
  const text = useMemo(
    () => (emitted.current?.def === definition ? emitted.current.text : JSON.stringify(definition, null, 2)),
    [definition],
  );
  const [parseError, setParseError] = useState("");
  const extensions = useMemo(() => [json(), linter(jsonParseLinter()), lintGutter()], []);
  return (
    <div className="code-view">
      <CodeEditor
        label="Workflow definition JSON"
        testId="code-view"
        value={text}
        extensions={extensions}
        onChange={(t) => {
          try {
            const parsed = JSON.parse(t) as WdlDefinition;
            if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) throw new Error("The definition must be a JSON object");
            setParseError("");
            emitted.current = { def: parsed, text: t };
            onChange(parsed);
          } catch (e) {
            setParseError((e as Error).message);
          }
        }}
      />
      <div className="code-status" role="status">
        {parseError ? <span className="error">JSON error: {parseError}</span> : <span>JSON is valid</span>}
        {problems.map((p) => (
          <div key={`${p.pointer}:${p.message}`} className="problem"><code>{p.pointer}</code> {p.message}</div>
        ))}
      </div>
    </div>
  );
}
