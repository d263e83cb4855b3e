"""Stores for uploaded files (inspection photos)."""
