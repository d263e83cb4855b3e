"""Signed carrier webhooks through the real HTTP stack (uvicorn, 2 workers), and bulk scan import.

Usage: python benchmarks/bench_tracking.py --db sqlite|postgresql [--seconds 10] [--concurrency 16]
Seeds a fresh database with approved returns that carry tracking numbers, starts the server, and
drives `POST /v1/webhooks/bench/tracking/generic` (HMAC verify + de-duplicate + apply + audit +
outbox, one transaction per request) with 1, 5 and 50 events per request (carriers and aggregators
deliver batches).
Then imports generated scans in-process (`services.tracking.import_scans`), and a generated CSV scan
file through the command line (`returnflow import scans FILE`, a new process: start-up, parsing,
import). Prints JSON lines.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import hmac
import json
import os
import platform
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import create_engine, select, text

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_returns import database_url, drop_database, free_port, seed, start_server
from loadgen import run_load

from returnflow.adapters.db.tables import ReturnRow
from returnflow.bootstrap import bootstrap
from returnflow.config import Settings
from returnflow.domain.tracking import CarrierEvent, TrackingStatus
from returnflow.services.access import system_actor
from returnflow.services.carrier_secrets import set_secret
from returnflow.services.tenants import tenant_by_slug
from returnflow.services.tracking import import_scans

HERE = Path(__file__).resolve().parent
SECRET = "bench-webhook-secret-0001"
STEPS = ["picked_up", "in_transit", "in_transit", "out_for_delivery", "delivered"]
T0 = datetime(2026, 3, 10, 8, 0, tzinfo=UTC)


def make_returns(url: str, port: int, key: str, lines: list[tuple[str, str]]) -> list[str]:
    """Approved returns for the seeded orders (through the API), each given a tracking number."""
    auth = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}

    def a_return(i: int) -> tuple[str, str, dict[str, str], bytes]:
        number, line_id = lines[i]
        body = {
            "order_number": number,
            "resolution": "refund",
            "lines": [{"order_line_id": line_id, "quantity": 1, "reason": "size_too_small"}],
        }
        return "POST", "/v1/returns", auth, json.dumps(body).encode()

    run_load("seed_returns", "127.0.0.1", port, a_return, concurrency=8, seconds=600, limit=len(lines))
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE returns SET tracking_number = 'BT' || upper(substr(id, 5))"))
        numbers = [n for (n,) in conn.execute(select(ReturnRow.tracking_number).order_by(ReturnRow.id))]
    engine.dispose()
    return [n for n in numbers if n]


def webhook_load(port: int, numbers: list[str], per_request: int, seconds: float, concurrency: int, tag: str):  # type: ignore[no-untyped-def]
    """Generic signed webhooks; request i carries `per_request` events of one return's journey."""

    def request(i: int) -> tuple[str, str, dict[str, str], bytes]:
        number = numbers[i % len(numbers)]
        round_ = i // len(numbers)
        records = []
        for k in range(per_request):
            step = (round_ * per_request + k) % len(STEPS)
            at = T0 + timedelta(hours=round_ * per_request + k)
            records.append(
                {
                    "event_id": f"{tag}-{i}-{k}",
                    "tracking_number": number,
                    "status": STEPS[step],
                    "occurred_at": at.isoformat(),
                    "location": "Reno, NV 89502",
                }
            )
        body = json.dumps(records[0] if per_request == 1 else records).encode()
        sig = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
        headers = {"Content-Type": "application/json", "X-ReturnFlow-Signature": sig}
        return "POST", "/v1/webhooks/bench/tracking/generic", headers, body

    return run_load(f"webhooks_{per_request}_per_request", "127.0.0.1", port, request,
                    concurrency=concurrency, seconds=seconds)  # fmt: skip


def scans(numbers: list[str], n_events: int, tag: str, day: int) -> list[CarrierEvent]:
    """`n_events` scans, half for known returns (moving them along), half not yet labelled."""
    return [
        CarrierEvent(
            provider="generic",
            event_id=f"{tag}-{i}",
            tracking_number=numbers[i % len(numbers)] if i % 2 == 0 else f"{tag.upper()}{i:012d}",
            carrier="ups",
            status=TrackingStatus(STEPS[(i // len(numbers)) % len(STEPS)]),
            raw_status="scan",
            substatus=None,
            occurred_at=T0 + timedelta(days=day, seconds=i),
            location="Reno, NV",
        )
        for i in range(n_events)
    ]


def bulk_import(url: str, numbers: list[str], n_events: int) -> dict[str, float | int]:
    """Import `n_events` scans in-process, in one call."""
    c = bootstrap(Settings(database_url=url))
    tenant = tenant_by_slug(c.db, "bench")
    events = scans(numbers, n_events, "file", 20)
    started = time.perf_counter()
    result = import_scans(c.db, c.clock, system_actor(tenant.id, "bench"), events)
    seconds = time.perf_counter() - started
    c.db.engine.dispose()
    return {"name": "bulk_import", "events": n_events, "new": result.new, "applied": result.applied,
            "seconds": round(seconds, 2), "events_per_s": round(n_events / seconds)}  # fmt: skip


def cli_import(url: str, numbers: list[str], n_events: int) -> dict[str, float | int | str]:
    """`returnflow import scans FILE` on a CSV of `n_events` new scans, timed as a user sees it."""
    path = HERE / "out" / f"scans-{os.getpid()}.csv"
    path.parent.mkdir(exist_ok=True)
    with path.open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["event_id", "tracking_number", "status", "occurred_at", "location", "carrier"])
        for e in scans(numbers, n_events, "cli", 40):
            writer.writerow([e.event_id, e.tracking_number, e.status.value, e.occurred_at.isoformat(),
                             e.location, e.carrier])  # fmt: skip
    cli = [sys.executable, "-c", "from returnflow.entrypoints.cli import main; main()"]
    env = {**os.environ, "RETURNFLOW_DATABASE_URL": url}
    started = time.perf_counter()
    done = subprocess.run([*cli, "import", "scans", str(path), "--tenant", "bench"], env=env,
                          capture_output=True, text=True, check=True)  # fmt: skip
    seconds = time.perf_counter() - started
    started = time.perf_counter()
    subprocess.run([*cli, "--help"], env=env, capture_output=True, check=True)
    startup = time.perf_counter() - started
    path.unlink()
    return {"name": "cli_import", "events": n_events, "seconds": round(seconds, 2),
            "events_per_s": round(n_events / seconds), "process_start_s": round(startup, 2),
            "output": done.stdout.strip()}  # fmt: skip


def main() -> None:
    """Seed, serve, drive the webhook loads, then the bulk import; print JSON results."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    ap.add_argument("--seconds", type=float, default=10.0)
    ap.add_argument("--concurrency", type=int, default=16)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--returns", type=int, default=3000)
    ap.add_argument("--import-events", type=int, default=100_000)
    args = ap.parse_args()
    url, pg_name = database_url(args.db)
    proc = None
    meta = {"db": args.db, "workers": args.workers, "concurrency": args.concurrency,
            "cpus": os.cpu_count(), "python": platform.python_version()}  # fmt: skip
    try:
        key, lines = seed(url, args.returns)
        c = bootstrap(Settings(database_url=url))
        tenant = tenant_by_slug(c.db, "bench")
        set_secret(c.db, c.clock, system_actor(tenant.id, "bench"), "generic", SECRET)
        c.db.engine.dispose()
        port = free_port()
        proc = start_server(url, port, args.workers)
        numbers = make_returns(url, port, key, lines)
        for per_request in (1, 5, 50):
            res = webhook_load(port, numbers, per_request, args.seconds, args.concurrency, f"w{per_request}")
            row = {**meta, **res.summary(), "statuses": dict(res.statuses)}
            row["events_per_s"] = round(res.throughput * per_request, 1)
            print(json.dumps(row), flush=True)
        proc.terminate()
        proc.wait(timeout=30)
        proc = None
        print(json.dumps({**meta, **bulk_import(url, numbers, args.import_events)}), flush=True)
        print(json.dumps({**meta, **cli_import(url, numbers, args.import_events)}), flush=True)
    finally:
        if proc is not None:
            proc.terminate()
            proc.wait(timeout=30)
        if pg_name:
            drop_database(pg_name)


if __name__ == "__main__":
    sys.exit(main())
