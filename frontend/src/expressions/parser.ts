/**
 * A checker for WDL expression strings as they appear in a definition: `"@expr"`,
 * `"text @{expr} text"`, `"@@literal"`. It does not evaluate (the server does); it
 * finds syntax errors with positions for inline diagnostics and lists the function
 * calls for "unknown function" hints. Grammar (after LogicAppsUX's parser): literals
 * ('..' with '' escape, numbers, true/false/null), calls `f(a, b)`, and access chains
 * `.x`, `[x]`, with `?` for null-safe access.
 */
import { FUNCTIONS } from "./functions";

export interface ExprDiagnostic {
  from: number;
  to: number;
  message: string;
  severity: "error" | "warning";
}

export interface Segment {
  /** Offsets of the expression text inside the whole string. */
  from: number;
  to: number;
}

/** Is this string a template at all (starts with a single `@` or contains `@{`)? */
export function isTemplate(text: string): boolean {
  if (text.startsWith("@@")) return text.slice(2).includes("@{") && !text.slice(2).startsWith("{");
  return text.startsWith("@") || /(^|[^@])@\{/.test(text);
}

/** The expression segments of a string: the whole tail after `@`, or each `@{…}`. */
export function segments(text: string): { segments: Segment[]; diagnostics: ExprDiagnostic[] } {
  if (text.startsWith("@") && !text.startsWith("@@") && !text.startsWith("@{")) {
    return { segments: [{ from: 1, to: text.length }], diagnostics: [] };
  }
  const out: Segment[] = [];
  const diagnostics: ExprDiagnostic[] = [];
  let i = 0;
  while (i < text.length) {
    if (text.startsWith("@@", i)) {
      i += 2;
      continue;
    }
    if (text.startsWith("@{", i)) {
      const end = closingBrace(text, i + 2);
      if (end < 0) {
        diagnostics.push(err(i, text.length, "Unclosed @{ … }"));
        break;
      }
      out.push({ from: i + 2, to: end });
      i = end + 1;
      continue;
    }
    i++;
  }
  return { segments: out, diagnostics };
}

function closingBrace(text: string, from: number): number {
  let inString = false;
  for (let i = from; i < text.length; i++) {
    const c = text[i];
    if (c === "'") inString = !inString;
    else if (c === "}" && !inString) return i;
  }
  return -1;
}

function err(from: number, to: number, message: string): ExprDiagnostic {
  return { from, to, message, severity: "error" };
}

// ------------------------------------------------------------------ scanner

export type TokenKind = "ident" | "string" | "number" | "punct" | "end";

export interface Token {
  kind: TokenKind;
  text: string;
  from: number;
  to: number;
}

export function scan(src: string, offset = 0): { tokens: Token[]; diagnostics: ExprDiagnostic[] } {
  const tokens: Token[] = [];
  const diagnostics: ExprDiagnostic[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i] as string;
    const start = i;
    if (/\s/.test(c)) {
      i++;
    } else if (c === "'") {
      i++;
      while (i < src.length && !(src[i] === "'" && src[i + 1] !== "'")) i += src[i] === "'" ? 2 : 1;
      if (i >= src.length) diagnostics.push(err(offset + start, offset + src.length, "Unterminated string literal"));
      i++;
      tokens.push(tok("string", src, start, Math.min(i, src.length), offset));
    } else if (c === '"') {
      diagnostics.push(err(offset + i, offset + i + 1, "Use single quotes for strings in expressions"));
      i++;
    } else if (/[0-9]/.test(c) || ((c === "-" || c === "+") && /[0-9]/.test(src[i + 1] ?? ""))) {
      i++;
      while (i < src.length && /[0-9.eE+-]/.test(src[i] as string)) i++;
      tokens.push(tok("number", src, start, i, offset));
    } else if (/[A-Za-z_$]/.test(c)) {
      while (i < src.length && /[A-Za-z0-9_$]/.test(src[i] as string)) i++;
      tokens.push(tok("ident", src, start, i, offset));
    } else if ("(),.[]?".includes(c)) {
      i++;
      tokens.push(tok("punct", src, start, i, offset));
    } else {
      diagnostics.push(err(offset + i, offset + i + 1, `Unexpected character "${c}"`));
      i++;
    }
  }
  tokens.push({ kind: "end", text: "", from: offset + src.length, to: offset + src.length });
  return { tokens, diagnostics };
}

function tok(kind: TokenKind, src: string, from: number, to: number, offset: number): Token {
  return { kind, text: src.slice(from, to), from: offset + from, to: offset + to };
}

// ------------------------------------------------------------------ parser

export interface Call {
  name: string;
  from: number;
  to: number;
  args: number;
}

class Parser {
  private i = 0;
  readonly calls: Call[] = [];
  constructor(private readonly tokens: Token[]) {}

  private peek(): Token {
    return this.tokens[this.i] as Token;
  }
  private next(): Token {
    return this.tokens[this.i++] as Token;
  }
  private expect(text: string): Token {
    const t = this.next();
    if (t.text !== text) throw err(t.from, Math.max(t.to, t.from + 1), `Expected "${text}" but found ${describe(t)}`);
    return t;
  }

  parseRoot(): void {
    if (this.peek().kind === "end") throw err(this.peek().from, this.peek().to, "Empty expression");
    this.parseExpression();
    const t = this.peek();
    if (t.kind !== "end") throw err(t.from, t.to, `Unexpected ${describe(t)} after the expression`);
  }

  private parseExpression(): void {
    const t = this.next();
    if (t.kind === "string" || t.kind === "number") return this.parseAccess();
    if (t.kind !== "ident") throw err(t.from, Math.max(t.to, t.from + 1), `Expected a value but found ${describe(t)}`);
    if (this.peek().text !== "(") {
      if (["true", "false", "null"].includes(t.text)) return this.parseAccess();
      throw err(t.from, t.to, `"${t.text}" must be called like a function: ${t.text}(…)`);
    }
    this.next();
    let args = 0;
    if (this.peek().text !== ")") {
      for (;;) {
        this.parseExpression();
        args++;
        if (this.peek().text !== ",") break;
        this.next();
      }
    }
    const close = this.expect(")");
    this.calls.push({ name: t.text, from: t.from, to: close.to, args });
    this.parseAccess();
  }

  private parseAccess(): void {
    for (;;) {
      if (this.peek().text === "?") this.next();
      const t = this.peek();
      if (t.text === ".") {
        this.next();
        const name = this.next();
        if (name.kind !== "ident") throw err(name.from, Math.max(name.to, name.from + 1), "Expected a property name after \".\"");
      } else if (t.text === "[") {
        this.next();
        this.parseExpression();
        this.expect("]");
      } else {
        return;
      }
    }
  }
}

function describe(t: Token): string {
  return t.kind === "end" ? "the end of the expression" : `"${t.text}"`;
}

export interface CheckResult {
  diagnostics: ExprDiagnostic[];
  calls: Call[];
}

/** Check one expression (without its leading `@`); offsets are shifted by `offset`. */
export function checkExpression(src: string, offset = 0): CheckResult {
  const { tokens, diagnostics } = scan(src, offset);
  const parser = new Parser(tokens);
  try {
    parser.parseRoot();
  } catch (e) {
    if (e && typeof e === "object" && "message" in e && "from" in e) diagnostics.push(e as ExprDiagnostic);
    else throw e;
  }
  for (const call of parser.calls) {
    if (!(call.name in FUNCTIONS)) {
      diagnostics.push({ from: call.from, to: call.from + call.name.length, message: `Unknown function "${call.name}"`, severity: "warning" });
    }
  }
  return { diagnostics, calls: parser.calls };
}

/** Check a whole string value as it appears in a definition. */
export function checkTemplate(text: string): CheckResult {
  if (!isTemplate(text)) return { diagnostics: [], calls: [] };
  const { segments: segs, diagnostics } = segments(text);
  const calls: Call[] = [];
  for (const s of segs) {
    const r = checkExpression(text.slice(s.from, s.to), s.from);
    diagnostics.push(...r.diagnostics);
    calls.push(...r.calls);
  }
  return { diagnostics, calls };
}
