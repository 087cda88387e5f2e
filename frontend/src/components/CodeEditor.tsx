/**
 * A thin React wrapper around a CodeMirror 6 view. The view is created once; a new
 * `value` from outside (undo, code view sync) replaces the document only when it
 * differs, so typing never fights the store.
 */
import { defaultKeymap, history, historyKeymap } from "@codemirror/commands";
import { EditorState, type Extension } from "@codemirror/state";
import { EditorView, keymap, placeholder as placeholderExt } from "@codemirror/view";
import { useEffect, useRef } from "react";

export interface CodeEditorProps {
  value: string;
  onChange: (value: string) => void;
  extensions?: Extension[];
  label: string;
  singleLine?: boolean;
  placeholder?: string;
  testId?: string;
  className?: string;
}

const singleLineFilter = EditorState.transactionFilter.of((tr) =>
  tr.newDoc.lines > 1 ? [] : tr,
);

export function CodeEditor(props: CodeEditorProps) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  const syncing = useRef(false);
  const onChange = useRef(props.onChange);
  onChange.current = props.onChange;

  useEffect(() => {
    const extensions: Extension[] = [
      history(),
      keymap.of([...defaultKeymap, ...historyKeymap]),
      EditorView.updateListener.of((u) => {
        if (u.docChanged && !syncing.current) onChange.current(u.state.doc.toString());
      }),
      EditorView.contentAttributes.of({ "aria-label": props.label, ...(props.testId ? { "data-testid": props.testId } : {}) }),
      EditorView.lineWrapping,
      ...(props.singleLine ? [singleLineFilter] : []),
      ...(props.placeholder ? [placeholderExt(props.placeholder)] : []),
      ...(props.extensions ?? []),
    ];
    const v = new EditorView({ parent: host.current as HTMLDivElement, state: EditorState.create({ doc: props.value, extensions }) });
    view.current = v;
    return () => v.destroy();
    // The view is built once per mount; value changes flow in through the effect below.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  useEffect(() => {
    const v = view.current;
    if (v && v.state.doc.toString() !== props.value) {
      syncing.current = true;
      try {
        v.dispatch({ changes: { from: 0, to: v.state.doc.length, insert: props.value } });
      } finally {
        syncing.current = false;
      }
    }
  }, [props.value]);

  return <div ref={host} className={`code-editor ${props.singleLine ? "single" : ""} ${props.className ?? ""}`} />;
}
