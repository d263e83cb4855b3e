"""Tracking commands: carrier webhook secrets, bulk scan-file import.

Imported by `returnflow.entrypoints.cli` after its command groups exist; commands register on them.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import Progress

from returnflow.entrypoints.cli import app, container, fail, import_app, out, run_domain

carrier_secret_app = typer.Typer(no_args_is_help=True, help="Webhook signing secrets of tracking providers.")
app.add_typer(carrier_secret_app, name="carrier-secret")

__all__ = ["app", "carrier_secret_app", "import_app"]

# A rejected file lists at most this many problems (every one is in the error's problem list).
SHOWN_PROBLEMS = 50


@carrier_secret_app.command("set")
@run_domain
def carrier_secret_set(
    tenant: Annotated[str, typer.Option("--tenant", help="tenant slug")],
    provider: Annotated[str, typer.Option("--provider", help="easypost|shippo|aftership|generic")],
    secret: Annotated[str, typer.Option("--secret", help="the signing secret the provider uses")],
    replace: Annotated[
        bool, typer.Option("--replace", help="retire the previous secret now instead of keeping it active")
    ] = False,
) -> None:
    """Set a provider's webhook signing secret; the previous one stays valid during the rotation."""
    from returnflow.services.access import system_actor
    from returnflow.services.carrier_secrets import set_secret
    from returnflow.services.tenants import tenant_by_slug

    c = container()
    t = tenant_by_slug(c.db, tenant)
    secret_id, active = set_secret(
        c.db, c.clock, system_actor(t.id, "carrier-secret"), provider, secret, keep_previous=not replace
    )
    rotation = " (the previous one stays valid until the next set)" if active > 1 else ""
    out.print(f"{provider} secret {secret_id} set for {t.slug}: {active} active{rotation}")


@import_app.command("scans")
@run_domain
def import_scans(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)],
    tenant: Annotated[str, typer.Option("--tenant", help="tenant slug")] = "demo",
) -> None:
    """Import carrier scans from CSV or JSON Lines; a bad row rejects the whole file."""
    from returnflow.adapters.carriers.scan_files import format_of, iter_scan_chunks
    from returnflow.domain.tracking import CarrierEvent
    from returnflow.services.access import system_actor
    from returnflow.services.tenants import tenant_by_slug
    from returnflow.services.tracking import import_scans as run_import

    c = container()
    t = tenant_by_slug(c.db, tenant)
    fmt = format_of(file)
    events: list[CarrierEvent] = []
    problems: list[str] = []
    with Progress(transient=True) as progress:
        reading = progress.add_task("reading scans", total=file.stat().st_size or 1)
        with file.open("rb") as raw, io.TextIOWrapper(raw, encoding="utf-8-sig", newline="") as lines:
            for chunk in iter_scan_chunks(lines, fmt):
                problems.extend(f"{p.field}: {p.message} ({p.code})" for p in chunk.problems)
                if not problems:
                    events.extend(chunk.events)
                progress.update(reading, completed=raw.tell())
        if problems:
            shown = problems[:SHOWN_PROBLEMS]
            if len(problems) > SHOWN_PROBLEMS:
                shown.append(f"… and {len(problems) - SHOWN_PROBLEMS} more")
            raise fail(f"{len(problems)} problem(s) in {file.name}; nothing was imported", shown)
        applying = progress.add_task("applying scans", total=len(events) or 1)
        result = run_import(
            c.db,
            c.clock,
            system_actor(t.id, "import"),
            events,
            lambda n: progress.advance(applying, n),
        )
    out.print(
        f"imported {result.new} new scan(s) into {t.slug} ({result.received - result.new} already known; "
        f"{result.applied} applied to returns, {result.unmatched} kept for returns not labelled yet)"
    )
