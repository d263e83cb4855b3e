"""Opaque, non-guessable public ids (prefixed ULIDs) and human RMA numbers."""

from __future__ import annotations

import secrets

from ulid import ULID

# Crockford base32 without look-alikes, for numbers people read out over the phone.
_HUMAN = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def new_id(prefix: str) -> str:
    """E.g. `ret_01jf3…`: time-ordered (good for indexes) but with 80 random bits."""
    return f"{prefix}_{str(ULID()).lower()}"


def rma_number() -> str:
    """A human return number such as `RMA-7K3Q-9X2M` (40 random bits)."""
    chars = "".join(secrets.choice(_HUMAN) for _ in range(8))
    return f"RMA-{chars[:4]}-{chars[4:]}"
