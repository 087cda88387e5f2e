/**
 * CodeMirror 6 support for WDL expression strings: highlighting (a stream tokenizer
 * over the raw string value), autocomplete (functions and upstream outputs) and
 * inline parse errors (from `checkTemplate`).
 */
import { autocompletion, type CompletionContext, type CompletionResult } from "@codemirror/autocomplete";
import { HighlightStyle, StreamLanguage, syntaxHighlighting } from "@codemirror/language";
import { type Diagnostic, linter } from "@codemirror/lint";
import type { Extension } from "@codemirror/state";
import { tags } from "@lezer/highlight";
import { type Candidate, inExpression } from "./completions";
import { FUNCTIONS } from "./functions";
import { checkTemplate } from "./parser";

interface WdlState {
  inExpr: boolean;
  depth: number;
}

const wdlStream = StreamLanguage.define<WdlState>({
  name: "wdl",
  startState: () => ({ inExpr: false, depth: 0 }),
  token(stream, state) {
    if (!state.inExpr) {
      if (stream.match("@@")) return null;
      if (stream.match("@{")) {
        state.inExpr = true;
        state.depth = 1;
        return "meta";
      }
      if (stream.sol() && stream.match("@")) {
        state.inExpr = true;
        state.depth = 0;
        return "meta";
      }
      stream.next();
      return "string";
    }
    if (stream.eatSpace()) return null;
    if (stream.match(/^'(?:[^']|'')*'?/)) return "string";
    if (stream.match(/^-?\d+(\.\d+)?([eE][+-]?\d+)?/)) return "number";
    if (stream.match(/^(true|false|null)\b/)) return "atom";
    const word = stream.match(/^[A-Za-z_$][\w$]*/) as RegExpMatchArray | null;
    if (word) return word[0] in FUNCTIONS ? "keyword" : "variableName";
    if (state.depth > 0 && stream.peek() === "}") {
      stream.next();
      state.inExpr = false;
      state.depth = 0;
      return "meta";
    }
    stream.next();
    return "punctuation";
  },
});

const wdlHighlight = HighlightStyle.define([
  { tag: tags.meta, color: "var(--accent)", fontWeight: "bold" },
  { tag: tags.keyword, color: "var(--fn)" },
  { tag: tags.string, color: "var(--str)" },
  { tag: tags.number, color: "var(--num)" },
  { tag: tags.atom, color: "var(--num)" },
  { tag: tags.variableName, color: "var(--err)" },
]);

export function wdlLinter(): Extension {
  return linter((view) => {
    const text = view.state.doc.toString();
    return checkTemplate(text).diagnostics.map(
      (d): Diagnostic => ({ from: d.from, to: Math.max(d.to, d.from), message: d.message, severity: d.severity }),
    );
  }, { delay: 150 });
}

export function wdlCompletion(candidates: () => Candidate[]): Extension {
  const source = (ctx: CompletionContext): CompletionResult | null => {
    const text = ctx.state.doc.toString();
    if (!inExpression(text, ctx.pos)) return null;
    const word = ctx.matchBefore(/[\w$]*/);
    if (!word || (word.from === word.to && !ctx.explicit)) return null;
    return {
      from: word.from,
      options: candidates().map((c) => ({
        label: c.label,
        apply: c.apply,
        detail: c.detail,
        info: c.info,
        type: c.kind === "function" ? "function" : "variable",
      })),
      validFor: /^[\w$]*$/,
    };
  };
  return autocompletion({ override: [source], activateOnTyping: true });
}

export function wdlExtensions(candidates: () => Candidate[]): Extension[] {
  return [wdlStream, syntaxHighlighting(wdlHighlight), wdlLinter(), wdlCompletion(candidates)];
}
