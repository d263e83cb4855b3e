"""ReturnFlow entrypoints web package."""
