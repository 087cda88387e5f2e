/**
 * The built-in action and trigger types offered by the palette, each with the
 * definition fragment a new instance starts from, and the form fields the panel
 * shows for it (paths into the action, so one generic form renders them all).
 */
import type { WdlAction, WdlTrigger } from "../graph/wdl";

export type FieldKind = "expression" | "number" | "select" | "json" | "text";

export interface FieldSpec {
  path: string[];
  label: string;
  kind: FieldKind;
  options?: string[];
}

export interface Builtin {
  type: string;
  title: string;
  group: "Trigger" | "Control" | "Data" | "Variables" | "HTTP";
  icon: string;
  description: string;
  template: () => WdlAction | WdlTrigger;
  fields: FieldSpec[];
  trigger?: boolean;
}

const expr = (path: string[], label: string): FieldSpec => ({ path, label, kind: "expression" });
const json = (path: string[], label: string): FieldSpec => ({ path, label, kind: "json" });
const select = (path: string[], label: string, options: string[]): FieldSpec => ({ path, label, kind: "select", options });

const VARIABLE_FIELDS = [expr(["inputs", "name"], "Name"), expr(["inputs", "value"], "Value")];

export const BUILTINS: Builtin[] = [
  {
    type: "Request", title: "When an HTTP request is received", group: "Trigger", icon: "⇣", trigger: true,
    description: "Starts a run when its callback URL is called",
    template: () => ({ type: "Request", kind: "Http", inputs: { schema: {} } }),
    fields: [select(["inputs", "method"], "Method", ["", "GET", "POST", "PUT", "PATCH", "DELETE"]), expr(["inputs", "relativePath"], "Relative path"), json(["inputs", "schema"], "Body JSON schema")],
  },
  {
    type: "Recurrence", title: "Recurrence", group: "Trigger", icon: "⟳", trigger: true,
    description: "Starts a run on a schedule",
    template: () => ({ type: "Recurrence", recurrence: { frequency: "Hour", interval: 1 } }),
    fields: [select(["recurrence", "frequency"], "Frequency", ["Second", "Minute", "Hour", "Day", "Week", "Month"]), { path: ["recurrence", "interval"], label: "Interval", kind: "number" }],
  },
  { type: "Compose", title: "Compose", group: "Data", icon: "✎", description: "Evaluate inputs into one output", template: () => ({ type: "Compose", inputs: "" }), fields: [expr(["inputs"], "Inputs")] },
  { type: "If", title: "Condition", group: "Control", icon: "◇", description: "Run the true or the false branch", template: () => ({ type: "If", expression: { and: [{ equals: ["", ""] }] }, actions: {}, else: { actions: {} } }), fields: [] },
  { type: "Switch", title: "Switch", group: "Control", icon: "⋎", description: "One branch per case, plus default", template: () => ({ type: "Switch", expression: "", cases: { Case: { case: "", actions: {} } }, default: { actions: {} } }), fields: [expr(["expression"], "On")] },
  { type: "Foreach", title: "For each", group: "Control", icon: "↻", description: "Run actions for each item", template: () => ({ type: "Foreach", foreach: "", actions: {} }), fields: [expr(["foreach"], "Items")] },
  { type: "Until", title: "Until", group: "Control", icon: "⟲", description: "Repeat until a condition holds", template: () => ({ type: "Until", expression: "@equals(1, 1)", limit: { count: 60, timeout: "PT1H" }, actions: {} }), fields: [expr(["expression"], "Until"), { path: ["limit", "count"], label: "Count limit", kind: "number" }, expr(["limit", "timeout"], "Timeout")] },
  { type: "Scope", title: "Scope", group: "Control", icon: "▭", description: "Group actions; status of the whole", template: () => ({ type: "Scope", actions: {} }), fields: [] },
  { type: "Terminate", title: "Terminate", group: "Control", icon: "■", description: "End the run with a status", template: () => ({ type: "Terminate", inputs: { runStatus: "Failed", runError: { code: "", message: "" } } }), fields: [select(["inputs", "runStatus"], "Status", ["Failed", "Cancelled", "Succeeded"]), expr(["inputs", "runError", "code"], "Code"), expr(["inputs", "runError", "message"], "Message")] },
  { type: "Wait", title: "Delay", group: "Control", icon: "◔", description: "Wait for an interval", template: () => ({ type: "Wait", inputs: { interval: { count: 1, unit: "Minute" } } }), fields: [{ path: ["inputs", "interval", "count"], label: "Count", kind: "number" }, select(["inputs", "interval", "unit"], "Unit", ["Second", "Minute", "Hour", "Day", "Week", "Month"])] },
  { type: "Response", title: "Response", group: "HTTP", icon: "⇡", description: "Answer the HTTP caller", template: () => ({ type: "Response", kind: "Http", inputs: { statusCode: 200, body: "" } }), fields: [expr(["inputs", "statusCode"], "Status code"), json(["inputs", "headers"], "Headers"), expr(["inputs", "body"], "Body")] },
  { type: "Http", title: "HTTP", group: "HTTP", icon: "⇄", description: "Call an HTTP endpoint", template: () => ({ type: "Http", inputs: { method: "GET", uri: "" } }), fields: [select(["inputs", "method"], "Method", ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]), expr(["inputs", "uri"], "URI"), json(["inputs", "headers"], "Headers"), expr(["inputs", "body"], "Body")] },
  { type: "InitializeVariable", title: "Initialize variable", group: "Variables", icon: "𝑥", description: "Declare a variable", template: () => ({ type: "InitializeVariable", inputs: { variables: [{ name: "myVar", type: "string", value: "" }] } }), fields: [expr(["inputs", "variables", "0", "name"], "Name"), select(["inputs", "variables", "0", "type"], "Type", ["string", "integer", "float", "boolean", "array", "object"]), expr(["inputs", "variables", "0", "value"], "Value")] },
  { type: "SetVariable", title: "Set variable", group: "Variables", icon: "𝑥", description: "Assign a variable", template: () => ({ type: "SetVariable", inputs: { name: "", value: "" } }), fields: VARIABLE_FIELDS },
  { type: "IncrementVariable", title: "Increment variable", group: "Variables", icon: "+", description: "Add to a number variable", template: () => ({ type: "IncrementVariable", inputs: { name: "", value: 1 } }), fields: VARIABLE_FIELDS },
  { type: "DecrementVariable", title: "Decrement variable", group: "Variables", icon: "−", description: "Subtract from a number variable", template: () => ({ type: "DecrementVariable", inputs: { name: "", value: 1 } }), fields: VARIABLE_FIELDS },
  { type: "AppendToArrayVariable", title: "Append to array variable", group: "Variables", icon: "[+]", description: "Append an item", template: () => ({ type: "AppendToArrayVariable", inputs: { name: "", value: "" } }), fields: VARIABLE_FIELDS },
  { type: "AppendToStringVariable", title: "Append to string variable", group: "Variables", icon: "\"+", description: "Append text", template: () => ({ type: "AppendToStringVariable", inputs: { name: "", value: "" } }), fields: VARIABLE_FIELDS },
  { type: "ParseJson", title: "Parse JSON", group: "Data", icon: "{}", description: "Parse content against a schema", template: () => ({ type: "ParseJson", inputs: { content: "", schema: {} } }), fields: [expr(["inputs", "content"], "Content"), json(["inputs", "schema"], "Schema")] },
  { type: "Query", title: "Filter array", group: "Data", icon: "⊆", description: "Keep items matching a condition", template: () => ({ type: "Query", inputs: { from: "", where: "" } }), fields: [expr(["inputs", "from"], "From"), expr(["inputs", "where"], "Where")] },
  { type: "Select", title: "Select", group: "Data", icon: "⇉", description: "Map each item", template: () => ({ type: "Select", inputs: { from: "", select: {} } }), fields: [expr(["inputs", "from"], "From"), json(["inputs", "select"], "Map")] },
  { type: "Join", title: "Join", group: "Data", icon: "⋯", description: "Join an array into text", template: () => ({ type: "Join", inputs: { from: "", joinWith: "," } }), fields: [expr(["inputs", "from"], "From"), expr(["inputs", "joinWith"], "Join with")] },
  { type: "Table", title: "Create table", group: "Data", icon: "▤", description: "CSV or HTML table", template: () => ({ type: "Table", inputs: { from: "", format: "CSV" } }), fields: [expr(["inputs", "from"], "From"), select(["inputs", "format"], "Format", ["CSV", "HTML"])] },
];

export const BUILTIN_BY_TYPE = new Map(BUILTINS.map((b) => [b.type, b]));

const ICONS: Record<string, string> = { ServiceProvider: "⚙", ApiConnection: "☁", Workflow: "⧉", JavaScriptCode: "JS" };

export function iconFor(type: string): string {
  return BUILTIN_BY_TYPE.get(type)?.icon ?? ICONS[type] ?? "●";
}

/** Operators offered by the simple condition editor (WDL predicate names). */
export const CONDITION_OPERATORS = ["equals", "greater", "greaterOrEquals", "less", "lessOrEquals", "contains", "startsWith", "endsWith"];
