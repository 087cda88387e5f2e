/**
 * Palette items: the built-in types plus the connector catalog, and how an item
 * becomes a definition fragment. Pure (tested).
 */
import type { Connector } from "../api/types";
import type { WdlAction, WdlTrigger } from "../graph/wdl";
import { BUILTIN_BY_TYPE, BUILTINS } from "./builtins";

export interface PaletteItem {
  id: string;
  title: string;
  group: string;
  icon: string;
  description: string;
  trigger: boolean;
  /** Built-in type, or connector kind. */
  type?: string;
  kind?: string;
}

export function paletteItems(connectors: Connector[]): PaletteItem[] {
  const items: PaletteItem[] = BUILTINS.map((b) => ({
    id: `builtin:${b.type}`,
    title: b.title,
    group: b.group,
    icon: b.icon,
    description: b.description,
    trigger: Boolean(b.trigger),
    type: b.type,
  }));
  for (const c of connectors) {
    if (BUILTIN_BY_TYPE.has(c.kind)) continue;
    items.push({ id: `connector:${c.kind}`, title: c.title, group: "Connectors", icon: c.icon || "⚙", description: c.description, trigger: false, kind: c.kind });
  }
  return items;
}

export function filterItems(items: PaletteItem[], search: string): PaletteItem[] {
  const q = search.trim().toLowerCase();
  if (!q) return items;
  const rank = (i: PaletteItem) => (`${i.title} ${i.type ?? i.kind ?? ""}`.toLowerCase().includes(q) ? 0 : 1);
  return items
    .filter((i) => `${i.title} ${i.type ?? i.kind ?? ""} ${i.description} ${i.group}`.toLowerCase().includes(q))
    .sort((a, b) => rank(a) - rank(b));
}

/** The definition fragment for a new instance of a palette item. */
export function instantiate(item: PaletteItem): WdlAction | WdlTrigger {
  if (item.type) {
    const builtin = BUILTIN_BY_TYPE.get(item.type);
    if (builtin) return builtin.template();
  }
  const kind = item.kind ?? "Compose";
  if (kind.toLowerCase().startsWith("serviceprovider/")) {
    const [, provider, operation] = kind.split("/");
    return {
      type: "ServiceProvider",
      inputs: {
        parameters: {},
        serviceProviderConfiguration: { connectionName: "", operationId: operation ?? "", serviceProviderId: `/serviceProviders/${provider ?? ""}` },
      },
    };
  }
  return { type: kind, inputs: {} };
}

/** Default name for a new instance, before it is made unique. */
export function baseName(item: PaletteItem): string {
  if (item.type === "Request") return "manual";
  if (item.type === "If") return "Condition";
  return item.title.replace(/[^A-Za-z0-9]+/g, "_").replace(/^_|_$/g, "") || "Action";
}
