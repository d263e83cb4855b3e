"""The worker command: outbox relay, outgoing webhooks, notifications, scheduled jobs.

Imported by `returnflow.entrypoints.cli` after its command groups exist; commands register on them.
"""

from __future__ import annotations

from typing import Annotated

import typer

from returnflow.entrypoints.cli import app, container, import_app, out, run_domain

__all__ = ["app", "import_app", "worker"]


@app.command("worker")
@run_domain
def worker(
    once: Annotated[bool, typer.Option("--once", help="one pass over every queue, then exit")] = False,
    interval: Annotated[
        float | None, typer.Option("--interval", help="seconds between idle polls", min=0.05)
    ] = None,
) -> None:
    """Relay the outbox: signed webhooks, customer emails, expiry of unshipped returns."""
    from returnflow.entrypoints.worker import Worker

    c = container()
    w = Worker(c)
    if once:
        out.print(f"worker: {w.run_once()} item(s) processed")
        return
    w.run(interval if interval is not None else c.settings.worker_interval)
