import { describe, expect, it } from "vitest";
import type { Connector } from "../api/types";
import { definitionToGraph } from "../graph/mapping";
import { baseName, filterItems, instantiate, paletteItems } from "./palette";

const blob: Connector = { kind: "ServiceProvider/AzureBlob/readBlob", title: "Read blob", version: "1", description: "Reads a blob", icon: "", inputs: {}, outputs: {}, examples: [] };
const http: Connector = { ...blob, kind: "Http", title: "HTTP" };

describe("palette", () => {
  it("test_it_lists_builtins_and_connectors_without_duplicates", () => {
    const items = paletteItems([blob, http]);
    expect(items.filter((i) => i.type === "Http" || i.kind === "Http")).toHaveLength(1);
    expect(items.some((i) => i.kind === blob.kind)).toBe(true);
    for (const t of ["Compose", "If", "Switch", "Foreach", "Until", "Scope", "Terminate", "InitializeVariable", "ParseJson", "Query", "Select", "Join", "Table", "Wait", "Response", "Http"]) {
      expect(items.some((i) => i.type === t), t).toBe(true);
    }
  });
  it("test_it_searches_by_title_type_and_description", () => {
    const items = paletteItems([blob]);
    expect(filterItems(items, "blob").map((i) => i.kind)).toEqual([blob.kind]);
    expect(filterItems(items, "condition").map((i) => i.type)[0]).toBe("If");
  });
  it("test_it_instantiates_service_provider_connectors", () => {
    const action = instantiate(paletteItems([blob]).find((i) => i.kind === blob.kind)!);
    expect(action).toMatchObject({ type: "ServiceProvider", inputs: { serviceProviderConfiguration: { operationId: "readBlob", serviceProviderId: "/serviceProviders/AzureBlob" } } });
  });
  it("test_it_makes_every_builtin_template_map_to_a_graph", () => {
    for (const item of paletteItems([])) {
      const frag = instantiate(item);
      const def = item.trigger ? { triggers: { t: frag } } : { actions: { [baseName(item)]: frag as never } };
      expect(definitionToGraph(def).nodes.length, item.title).toBeGreaterThan(0);
    }
  });
});
