/** Field text <-> definition value (typed JSON where the old value was not a string). */

export function toText(value: unknown): string {
  if (value === undefined || value === null) return "";
  return typeof value === "string" ? value : JSON.stringify(value);
}

/** Text back to a value: typed JSON for numbers/booleans/objects/arrays, otherwise the string. */
export function fromText(text: string, previous: unknown): unknown {
  const t = text.trim();
  if (typeof previous !== "string" && t !== "" && !t.startsWith("@") && !t.includes("@{")) {
    try {
      const v = JSON.parse(t);
      if (typeof v !== "string") return v;
    } catch {
      /* not JSON: keep as text */
    }
  }
  return text;
}

