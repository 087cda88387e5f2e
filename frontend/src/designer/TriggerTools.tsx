/** For a saved workflow's Request trigger: the callback URL (with copy) and "Run trigger". */
import { useEffect, useState } from "react";
import { callbackUrl, runTrigger } from "../api/client";
import type { WdlTrigger } from "../graph/wdl";

interface Props {
  workflowName: string | null;
  triggerName: string;
  trigger: WdlTrigger;
}

export function TriggerTools({ workflowName, triggerName, trigger }: Props) {
  const [url, setUrl] = useState("");
  const [message, setMessage] = useState("");
  const [body, setBody] = useState('{\n  "hello": "world"\n}');
  const [runId, setRunId] = useState("");
  const isRequest = trigger.type === "Request";
  useEffect(() => {
    if (!workflowName || !isRequest) return;
    callbackUrl(workflowName, triggerName)
      .then((u) => setUrl(u.value))
      .catch((e: Error) => setMessage(`Save the workflow to get its URL (${e.message})`));
  }, [workflowName, triggerName, isRequest]);
  if (!workflowName) return <p className="hint">Save the workflow to get the trigger's URL.</p>;
  const run = async () => {
    try {
      const parsed = body.trim() ? JSON.parse(body) : null;
      const res = await runTrigger(workflowName, triggerName, parsed);
      setRunId(res.id);
      setMessage(`Run ${res.id} started`);
    } catch (e) {
      setMessage((e as Error).message);
    }
  };
  return (
    <div className="trigger-tools">
      {isRequest && url && (
        <div className="field">
          <span className="field-label">HTTP URL</span>
          <div className="copy-row">
            <input readOnly value={url} aria-label="Trigger URL" data-testid="trigger-url" />
            <button type="button" onClick={() => navigator.clipboard?.writeText(url)} aria-label="Copy the trigger URL">Copy</button>
          </div>
        </div>
      )}
      <label className="field">
        <span className="field-label">Sample body (JSON)</span>
        <textarea aria-label="Sample body" rows={4} value={body} onChange={(e) => setBody(e.target.value)} />
      </label>
      <button type="button" onClick={run}>Run trigger</button>
      {message && <p className="hint" role="status">{message} {runId && <a href={`#/runs/${runId}`}>Open run</a>}</p>}
    </div>
  );
}
