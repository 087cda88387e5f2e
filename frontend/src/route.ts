/** Hash routes: `#/`, `#/workflows/:name`, `#/workflows/:name/runs`, `#/runs`, `#/runs/:id`, `#/broker`. */
export type Route =
  | { page: "list" }
  | { page: "designer"; name: string }
  | { page: "runs"; workflow?: string }
  | { page: "run"; id: string }
  | { page: "broker" };

export function parseRoute(hash: string): Route {
  const parts = hash.replace(/^#\/?/, "").split("/").filter(Boolean).map(decodeURIComponent);
  const [a, b, c] = parts;
  if (a === "workflows" && b && c === "runs") return { page: "runs", workflow: b };
  if (a === "workflows" && b) return { page: "designer", name: b };
  if (a === "runs" && b) return { page: "run", id: b };
  if (a === "runs") return { page: "runs" };
  if (a === "broker") return { page: "broker" };
  return { page: "list" };
}
