"""The photo-store port: where inspection photos are kept (a local directory, or an object store)."""

from __future__ import annotations

from typing import Protocol


class PhotoStore(Protocol):
    """Stores photo bytes under a key; the database keeps only the key, size and checksum."""

    def put(self, key: str, data: bytes) -> None:
        """Store `data` under `key` (complete or not at all)."""
        ...

    def get(self, key: str) -> bytes:
        """The bytes stored under `key` (KeyError when there are none)."""
        ...

    def delete(self, key: str) -> None:
        """Remove what is stored under `key` (nothing happens when there is nothing)."""
        ...

    def exists(self, key: str) -> bool:
        """Whether something is stored under `key`."""
        ...
