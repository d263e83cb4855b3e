"""ReturnFlow adapters package."""
