"""Packaged return-policy documents: the default for new tenants and the reference examples."""
