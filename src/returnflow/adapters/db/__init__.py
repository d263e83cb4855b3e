"""ReturnFlow adapters db package."""
