"""A photo store on the local file system, under the data directory."""

from __future__ import annotations

import os
import re
import secrets
from pathlib import Path

_KEY = re.compile(r"^[A-Za-z0-9_-]+(/[A-Za-z0-9_.-]+)*$")


class LocalPhotoStore:
    """Files under `root`, one per key; written to a temporary name first, then renamed into place."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def _path(self, key: str) -> Path:
        # Keys are built by the service from ids; anything else (``..``, absolute paths) is refused.
        if not _KEY.match(key) or any(part in ("", ".", "..") for part in key.split("/")):
            raise ValueError(f"invalid storage key {key!r}")
        return self.root / key

    def put(self, key: str, data: bytes) -> None:
        """Store `data` atomically: a reader sees the whole file or none."""
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
        try:
            with open(tmp, "wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, path)
        finally:
            tmp.unlink(missing_ok=True)

    def get(self, key: str) -> bytes:
        """The stored bytes (KeyError when missing)."""
        try:
            return self._path(key).read_bytes()
        except FileNotFoundError:
            raise KeyError(key) from None

    def delete(self, key: str) -> None:
        """Remove the file, if there is one."""
        self._path(key).unlink(missing_ok=True)

    def exists(self, key: str) -> bool:
        """Whether the file exists."""
        return self._path(key).is_file()
