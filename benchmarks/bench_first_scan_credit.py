"""Time from a signed first-scan webhook to the return's credit, with the server and the worker running.

Usage: python benchmarks/bench_first_scan_credit.py --db sqlite|postgresql [--returns 100]
Seeds a fresh database whose policy credits every risk tier on the first carrier scan, starts the
server (uvicorn, 2 workers) and `returnflow worker` as subprocesses, creates approved returns through
the API and gives each a tracking number. Then, one return at a time, posts a signed generic
`picked_up` webhook and polls `GET /v1/returns/{id}/credits` until the credit is posted and until
its refund is `instructed` (handed to the payment gateway by the worker). Each webhook is sent after
a random pause of up to one worker interval, so it lands at a random moment of the worker's cycle.
Prints one JSON line with p50/p99 of both, and of the webhook round trip itself.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from sqlalchemy import create_engine, select, text

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_returns import database_url, drop_database, free_port, seed, start_server

from returnflow.adapters.db.tables import ReturnRow
from returnflow.adapters.policy_document import default_policy_text
from returnflow.bootstrap import bootstrap
from returnflow.config import Settings
from returnflow.services.access import system_actor
from returnflow.services.carrier_secrets import set_secret
from returnflow.services.policies import save_policy
from returnflow.services.tenants import tenant_by_slug

SECRET = "bench-webhook-secret-0001"
TIERS = "  low: immediate\n  medium: first_scan\n  high: inspected\n"
POLL_S = 0.005
TIMEOUT_S = 30.0


def configure(url: str) -> None:
    """Every risk tier credits on the first scan; the generic provider's signing secret is set."""
    c = bootstrap(Settings(database_url=url))
    tenant = tenant_by_slug(c.db, "bench")
    actor = system_actor(tenant.id, "bench")
    policy = default_policy_text()
    assert TIERS in policy, "the default policy's credit triggers changed"
    save_policy(
        c.db,
        c.clock,
        actor,
        policy.replace(TIERS, "  low: first_scan\n  medium: first_scan\n  high: first_scan\n"),
    )
    set_secret(c.db, c.clock, actor, "generic", SECRET)
    c.db.engine.dispose()


def make_returns(url: str, http: httpx.Client, lines: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Approved returns (through the API), each given a tracking number: [(return id, number)]."""
    ids = []
    for number, line_id in lines:
        body = {
            "order_number": number,
            "resolution": "refund",
            "lines": [{"order_line_id": line_id, "quantity": 1, "reason": "size_too_small"}],
        }
        r = http.post("/v1/returns", json=body)
        assert r.status_code == 201, r.text
        assert r.json()["credit_trigger"] == "first_scan", r.json()["credit_trigger"]
        ids.append(r.json()["id"])
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE returns SET tracking_number = 'FS' || upper(substr(id, 5))"))
        found = dict(conn.execute(select(ReturnRow.id, ReturnRow.tracking_number)).all())
    engine.dispose()
    return [(rid, str(found[rid])) for rid in ids]


def start_worker(url: str, interval: float) -> subprocess.Popen[bytes]:
    """`returnflow worker` as its own process (no SMTP)."""
    env = {**os.environ, "RETURNFLOW_DATABASE_URL": url, "RETURNFLOW_SMTP_HOST": ""}
    exe = Path(sys.executable).with_name("returnflow")
    return subprocess.Popen([str(exe), "worker", "--interval", str(interval)], env=env)


def measure_one(http: httpx.Client, return_id: str, number: str, i: int) -> tuple[float, float, float]:
    """Seconds from sending the webhook to: its response, the credit posted, the refund instructed."""
    at = datetime(2026, 3, 10, 8, 0, tzinfo=UTC) + timedelta(minutes=i)
    body = json.dumps(
        {"event_id": f"fs-{i}", "tracking_number": number, "status": "picked_up",
         "occurred_at": at.isoformat(), "location": "Reno, NV 89502"}
    ).encode()  # fmt: skip
    sig = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    headers = {"Content-Type": "application/json", "X-ReturnFlow-Signature": sig}
    started = time.perf_counter()
    r = http.post("/v1/webhooks/bench/tracking/generic", content=body, headers=headers)
    answered = time.perf_counter() - started
    if r.status_code != 200 or r.json()["applied"] != 1:
        raise SystemExit(f"webhook not applied: {r.status_code} {r.text}")
    credited = None
    while time.perf_counter() - started < TIMEOUT_S:
        credits = http.get(f"/v1/returns/{return_id}/credits").json()
        refund = next((c for c in credits if c["kind"] == "refund"), None)
        now = time.perf_counter() - started
        if refund is not None and credited is None:
            credited = now
        if refund is not None and refund["status"] == "instructed":
            return answered, credited or now, now
        time.sleep(POLL_S)
    raise SystemExit(f"return {return_id}: no instructed refund after {TIMEOUT_S} s")


def percentile(values: list[float], q: float) -> float:
    """The q-quantile (0..1), by the inclusive method, in milliseconds."""
    cuts = statistics.quantiles(values, n=100, method="inclusive")
    return round(1000 * (cuts[int(q * 100) - 1] if q < 1 else max(values)), 1)


def main() -> None:
    """Seed, serve, run the worker, then time each return's first scan to credit and to payout."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    ap.add_argument("--returns", type=int, default=100)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--worker-interval", type=float, default=1.0, help="the worker's idle poll (default 1 s)")
    args = ap.parse_args()
    if args.returns < 50:
        raise SystemExit("measure at least 50 returns")
    url, pg_name = database_url(args.db)
    server = worker = None
    try:
        key, lines = seed(url, args.returns)
        configure(url)
        port = free_port()
        server = start_server(url, port, args.workers)
        worker = start_worker(url, args.worker_interval)
        auth = {"Authorization": f"Bearer {key}"}
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", headers=auth, timeout=30) as http:
            returns = make_returns(url, http, lines)
            rng = random.Random(7)
            samples = []
            for i, (rid, number) in enumerate(returns):
                # First scans arrive at any moment of the worker's cycle, not right after its last pass.
                time.sleep(rng.uniform(0, args.worker_interval))
                samples.append(measure_one(http, rid, number, i))
        webhook, credit, paid = (sorted(s[k] for s in samples) for k in range(3))
        print(json.dumps({
            "db": args.db, "returns": len(samples), "server_workers": args.workers,
            "worker_interval_s": args.worker_interval, "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "webhook_ms": {"p50": percentile(webhook, 0.5), "p99": percentile(webhook, 0.99)},
            "credit_posted_ms": {"p50": percentile(credit, 0.5), "p99": percentile(credit, 0.99)},
            "refund_instructed_ms": {"p50": percentile(paid, 0.5), "p99": percentile(paid, 0.99)},
        }), flush=True)  # fmt: skip
    finally:
        for proc in (worker, server):
            if proc is not None:
                proc.terminate()
                proc.wait(timeout=30)
        if pg_name:
            drop_database(pg_name)


if __name__ == "__main__":
    sys.exit(main())
