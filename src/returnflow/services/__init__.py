"""ReturnFlow services package."""
