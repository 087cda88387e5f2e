"""WDL function implementations, one module per family; importing registers them."""
