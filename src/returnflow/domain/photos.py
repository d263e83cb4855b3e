"""Inspection photos: only real images are kept, recognised by their first bytes, not their name."""

from __future__ import annotations

IMAGE_TYPES = ("image/jpeg", "image/png", "image/webp")
EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp"}


def image_type(data: bytes) -> str | None:
    """The media type of a JPEG, PNG or WebP image from its magic bytes; None for anything else."""
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None
