"""Built-in connectors: one module per connector, registered by decorator."""
