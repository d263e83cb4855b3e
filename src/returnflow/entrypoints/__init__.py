"""ReturnFlow entrypoints package."""
