"""Receiving scans at the returns center: POST /v1/receipts from 20 workstations through the real HTTP stack.

Usage: python benchmarks/bench_receiving.py --db sqlite|postgresql [--seconds 20] [--concurrency 20]
Seeds a fresh database (a file under benchmarks/out/ or a new PostgreSQL database) with a tenant,
a receiving node `RC1`, a warehouse key bound to it and approved returns, each with its label's
tracking number issued through the label use case. Starts the server (uvicorn, 2 workers), runs the
one-insert baseline briefly (to show what the machine does at that moment), then drives
`POST /v1/receipts` with one keep-alive connection per workstation. Every scan names a distinct
parcel: ~75 % tracking numbers, ~20 % RMA numbers, ~5 % unknown codes (blind receipts). Prints one
JSON line per endpoint, then how the receipts were matched (read back from the database).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path

from rich.progress import Progress
from sqlalchemy import create_engine, func, select, text

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_returns import database_url, drop_database, free_port, seed, start_server
from loadgen import LoadResult, run_load

from returnflow.adapters.db.tables_floor import ReceiptRow
from returnflow.bootstrap import bootstrap
from returnflow.config import Settings
from returnflow.services import catalog, labels, receiving, returns
from returnflow.services.access import system_actor
from returnflow.services.inputs import NodeInput, ReturnInput
from returnflow.services.tenants import authenticate_hash, create_key, hash_key, tenant_by_slug

NODE = "RC1"
TARGET_P99_MS = 100.0


def seed_returns(url: str, n: int, history: int = 0) -> tuple[str, list[tuple[str, str]]]:
    """Orders (bench_returns.seed), the node and its warehouse key, then `n` approved, labelled returns,
    of which the first `history` are already received (a returns center in use).

    Returns the warehouse key and [(RMA number, tracking number)] of the parcels not yet received,
    in creation order.
    """
    _, lines = seed(url, n)
    c = bootstrap(Settings(database_url=url))
    tenant = tenant_by_slug(c.db, "bench")
    actor = system_actor(tenant.id, "bench")
    node = {
        "kind": "return_center",
        "name": "Secaucus Returns",
        "postal_code": "07094",
        "country": "US",
        "capabilities": ["receive", "inspect", "restock"],
        "handling_cost": 150,
    }
    catalog.upsert_node(c.db, c.clock, actor, NODE, NodeInput.model_validate(node))
    key = create_key(c.db, c.clock, "bench", "warehouse", node_code=NODE)
    parcels: list[tuple[str, str]] = []
    with Progress() as progress:
        task = progress.add_task("approved returns with labels", total=len(lines))
        for number, line_id in lines:
            body = {
                "order_number": number,
                "resolution": "refund",
                "lines": [{"order_line_id": line_id, "quantity": 1, "reason": "size_too_small"}],
            }
            ret = returns.request_return(c.db, c.clock, actor, ReturnInput.model_validate(body))
            if ret["status"] == "pending_review":
                ret = returns.approve(c.db, c.clock, actor, ret["id"])
            label = labels.label_for(c.db, c.clock, actor, ret["id"])
            parcels.append((str(ret["number"]), label.tracking_number))
            progress.advance(task)
        if history:
            # The planner's statistics and plans are those of receipt tables in use, not empty ones.
            task = progress.add_task("past receipts", total=history)
            warehouse = authenticate_hash(c.db, hash_key(key))
            assert warehouse is not None
            for _, tracking in parcels[:history]:
                receiving.receive(c.db, c.clock, warehouse, tracking, NODE)
                progress.advance(task)
    with c.db.engine.connect() as conn:
        conn.execute(text("ANALYZE"))
        conn.commit()
    c.db.engine.dispose()
    return key, parcels[history:]


def scans(parcels: list[tuple[str, str]], limit: int) -> list[str]:
    """The scan sequence: every 20th an unknown code, 4 of 20 an RMA number, the rest tracking numbers.

    Each known scan takes the next parcel, so no parcel is scanned twice. RMA numbers and tracking
    numbers are typed the way a handheld reads them (lower case, spaces) now and then.
    """
    out: list[str] = []
    it = iter(parcels)
    for i in range(limit):
        slot = i % 20
        if slot == 0:
            out.append(f"UNK{i:09d}")
            continue
        nxt = next(it, None)
        if nxt is None:
            break
        rma, tracking = nxt
        if slot in (5, 10, 15):
            out.append(rma)
        elif slot == 18:
            out.append(rma.lower().replace("-", " "))
        elif slot == 7:
            out.append(f" {tracking.lower()} ")
        else:
            out.append(tracking)
    return out


def receipt_mix(url: str) -> dict[str, int]:
    """Receipts written by the run, by kind and how they were matched."""
    engine = create_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(
            select(ReceiptRow.kind, ReceiptRow.matched_by, func.count()).group_by(
                ReceiptRow.kind, ReceiptRow.matched_by
            )
        ).all()
    engine.dispose()
    return {f"{kind}/{via or '-'}": int(n) for kind, via, n in rows}


def main() -> None:
    """Seed, serve, run the baseline, then paced and back-to-back receiving; print JSON results."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    ap.add_argument("--seconds", type=float, default=20.0, help="length of each receiving phase")
    ap.add_argument("--concurrency", type=int, default=20, help="workstations (keep-alive connections)")
    ap.add_argument(
        "--think", type=float, default=1.0,
        help="paced phase: mean pause of a workstation between scans, seconds (0 skips the phase)",
    )  # fmt: skip
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--baseline-seconds", type=float, default=5.0)
    ap.add_argument("--returns", type=int, default=0, help="returns to seed (default: enough for the run)")
    ap.add_argument("--history", type=int, default=1000, help="of them, parcels received before the run")
    args = ap.parse_args()
    paced_rate = args.concurrency / args.think if args.think else 0.0
    n_returns = args.returns or int(args.seconds * (paced_rate + 220)) + 300 + args.history
    url, pg_name = database_url(args.db)
    proc = None
    try:
        t0 = time.perf_counter()
        key, parcels = seed_returns(url, n_returns, args.history)
        seed_s = time.perf_counter() - t0
        sequence = scans(parcels, 10**9)
        port = free_port()
        proc = start_server(url, port, args.workers)
        auth = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
        offset = [0]

        def baseline(_: int) -> tuple[str, str, dict[str, str], bytes]:
            return "POST", "/bench/baseline", auth, b""

        def a_scan(i: int) -> tuple[str, str, dict[str, str], bytes]:
            body = json.dumps({"scan": sequence[offset[0] + i], "node_code": NODE}).encode()
            return "POST", "/v1/receipts", auth, body

        def receive_phase(name: str, think: float, seconds: float = args.seconds) -> LoadResult:
            res = run_load(
                name, "127.0.0.1", port, a_scan, concurrency=args.concurrency,
                seconds=seconds, limit=len(sequence) - offset[0], think_s=think,
            )  # fmt: skip
            offset[0] += sum(res.statuses.values()) + res.errors
            if offset[0] >= len(sequence):
                print("warning: every seeded parcel was scanned; seed more with --returns", file=sys.stderr)
            return res

        warm = run_load("warmup", "127.0.0.1", port, baseline, concurrency=args.concurrency, seconds=2)
        assert warm.completed, f"baseline warm-up failed: {warm.statuses}"
        base = run_load(
            "baseline", "127.0.0.1", port, baseline,
            concurrency=args.concurrency, seconds=args.baseline_seconds,
        )  # fmt: skip
        # Every worker process compiles the receiving statements on its first scans: not measured.
        receive_phase("warmup_receipts", 0.2, 3.0)
        runs = [base]
        if args.think:
            runs.append(receive_phase(f"post_receipts_paced_{args.think:g}s", args.think))
        runs.append(receive_phase("post_receipts_back_to_back", 0.0))
        report(args, runs, receipt_mix(url), len(parcels), seed_s)
    finally:
        if proc is not None:
            proc.terminate()
            proc.wait(timeout=30)
        if pg_name:
            drop_database(pg_name)


def report(
    args: argparse.Namespace, runs: list[LoadResult], mix: dict[str, int], seeded: int, seed_s: float
) -> None:
    """One JSON line per run, then the receipt mix and whether the paced run met the p99 target."""
    meta = {
        "db": args.db,
        "workers": args.workers,
        "concurrency": args.concurrency,
        "cpus": os.cpu_count(),
        "loadavg_1m": round(os.getloadavg()[0], 2),
        "python": platform.python_version(),
    }
    for res in runs:
        print(json.dumps({**meta, **res.summary(), "statuses": dict(res.statuses)}))
    base, judged, saturated = runs[0], runs[1], runs[-1]
    ratio = saturated.throughput / base.throughput if base.throughput else 0.0
    print(
        json.dumps(
            {
                **meta,
                "returns_seeded": seeded,
                "seed_seconds": round(seed_s, 1),
                "receipts": mix,
                "ratio_back_to_back_to_baseline": round(ratio, 3),
                "target_p99_ms": TARGET_P99_MS,
                "judged_run": judged.name,
                "p99_met": judged.percentile(99) < TARGET_P99_MS,
            }
        )
    )


if __name__ == "__main__":
    main()
