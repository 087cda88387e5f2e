"""Built-in connectors, one module each; importing a module registers it."""
