/**
 * Designer shortcuts: Ctrl/⌘+Z undo, Ctrl/⌘+Shift+Z or Ctrl+Y redo, Ctrl/⌘+C/V copy
 * and paste the selected action, Delete removes it, Ctrl/⌘+S saves. Ignored while
 * typing in a field or an editor, where those keys belong to the text.
 */
import { useEffect, useRef } from "react";

export interface Shortcuts {
  undo: () => void;
  redo: () => void;
  copy: () => void;
  paste: () => void;
  remove: () => void;
  save: () => void;
}

function typing(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  if (!el) return false;
  return el.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(el.tagName) || Boolean(el.closest?.(".cm-editor"));
}

export function useKeyboard(shortcuts: Shortcuts) {
  const ref = useRef(shortcuts);
  ref.current = shortcuts;
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const mod = e.ctrlKey || e.metaKey;
      const key = e.key.toLowerCase();
      if (mod && key === "s") {
        e.preventDefault();
        ref.current.save();
        return;
      }
      if (typing(e.target)) return;
      const s = ref.current;
      if (mod && key === "z" && e.shiftKey) s.redo();
      else if (mod && key === "z") s.undo();
      else if (mod && key === "y") s.redo();
      else if (mod && key === "c") s.copy();
      else if (mod && key === "v") s.paste();
      else if (key === "delete") s.remove();
      else return;
      e.preventDefault();
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, []);
}
