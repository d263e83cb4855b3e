"""ReturnFlow entrypoints api package."""
