/**
 * Generated definitions for tests and the performance check: a chain of `count`
 * actions mixing plain actions, scopes, conditions and loops.
 */
import type { ActionMap, WdlDefinition } from "./wdl";

export function bigDefinition(count: number): WdlDefinition {
  const actions: ActionMap = {};
  let previous: string | null = null;
  let made = 0;
  while (made < count) {
    const name = `Step_${made}`;
    const runAfter = previous ? { [previous]: ["Succeeded"] } : {};
    if (made % 10 === 9 && made + 3 <= count) {
      actions[name] = {
        type: "If",
        expression: { equals: [`@outputs('${previous}')`, 1] },
        actions: { [`${name}_yes`]: { type: "Compose", inputs: 1, runAfter: {} } },
        else: { actions: { [`${name}_no`]: { type: "Compose", inputs: 2, runAfter: {} } } },
        runAfter,
      };
      made += 3;
    } else {
      actions[name] = { type: "Compose", inputs: `@{outputs('${previous ?? name}')}-${made}`, runAfter };
      made += 1;
    }
    previous = name;
  }
  return {
    $schema:
      "https://schema.management.azure.com/providers/Microsoft.Logic/schemas/2016-06-01/workflowdefinition.json#",
    contentVersion: "1.0.0.0",
    triggers: { manual: { type: "Request", kind: "Http", inputs: {} } },
    actions,
    outputs: {},
  };
}
