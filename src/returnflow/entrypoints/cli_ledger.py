"""Finance commands: ledger verification, balances, refund-instruction export.

Imported by `returnflow.entrypoints.cli` after its command groups exist; commands register on them.
"""

from __future__ import annotations

from returnflow.entrypoints.cli import app, import_app

__all__ = ["app", "import_app"]
