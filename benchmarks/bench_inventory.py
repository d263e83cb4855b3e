"""Inventory balances over a large movement ledger: what GET /v1/inventory runs, timed per scope.

Usage: python benchmarks/bench_inventory.py [--db postgresql|sqlite] [--movements 1000000]
       [--nodes 20] [--skus 5000] [--calls 200] [--passes 3] [--explain] [--gc-freeze]
Seeds a fresh database (a new PostgreSQL database or a file under benchmarks/out/, both removed
afterwards) migrated to 0008 with one tenant and `--movements` inventory movements spread over
nodes × SKUs: units received into a condition bucket, moved between buckets (refurbishing done,
re-graded, quarantine released) and shipped out, never taking a bucket below zero. PostgreSQL is
loaded with COPY, SQLite with batched Core inserts; then the database is upgraded to head, so
migration 0009 backfills `inventory_balances` from the ledger (timed). Then ANALYZE.

Times `services.inventory.balances` (what the API calls) for one node and SKU, one SKU, one whole
node (5,000 SKUs in one page of the maximum size), the first page of the whole tenant (default and
maximum size), and paging through the whole tenant by cursor (per page and per pass) and the CSV
export of it; first with fresh statistics only and then after VACUUM (as autovacuum leaves a live
table). Last, `move_in` of single movements (the write that now also upserts the balance). Prints
one JSON line per scope. The API app is imported so the process holds what a server holds: a full
garbage collection walks all of it (`--gc-freeze` measures the same with start-up objects frozen).
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import random
import statistics
import sys
import time
from collections.abc import Callable, Iterator, Sized
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from rich.progress import Progress
from sqlalchemy import event, insert, text

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_returns import database_url, drop_database

import returnflow.entrypoints.api.app  # noqa: F401  (a server process's heap: what a full GC walks)
from returnflow.adapters.db.migrate import upgrade
from returnflow.adapters.db.tables_floor import InventoryMovementRow
from returnflow.bootstrap import bootstrap
from returnflow.config import Settings
from returnflow.domain.errors import ValidationFailed
from returnflow.domain.inventory import BUCKETS, Movement
from returnflow.services import inventory
from returnflow.services.access import Actor, system_actor
from returnflow.services.ids import new_id
from returnflow.services.tenants import create_tenant

COLUMNS = (
    "tenant_id", "id", "node_code", "sku", "from_bucket", "to_bucket", "quantity", "grade",
    "reason", "reference", "return_id", "return_line_id", "at", "actor",
)  # fmt: skip
TARGET_MS = 200.0
# The revision before the balances table: the ledger is loaded there, then 0009 backfills it.
BEFORE_BALANCES = "0008_delivery_cases"
# Where received units land (weights roughly as dispositions choose them).
INBOUND = ("sellable",) * 5 + ("open_box",) * 2 + ("refurbish_wip", "repair_wip", "quarantine", "liquidation")
# Moves out of a bucket to another one, by the bucket the units leave.
ONWARD = {
    "refurbish_wip": ("sellable", "open_box", "scrap"),
    "repair_wip": ("sellable", "open_box", "scrap"),
    "quarantine": ("sellable", "scrap", "liquidation"),
    "open_box": ("liquidation",),
    "sellable": ("open_box",),
    "liquidation": ("scrap",),
}
SHIPPED_FROM = ("sellable", "open_box", "liquidation", "scrap")


def movements(tenant_id: str, n: int, nodes: int, skus: int, seed: int) -> Iterator[tuple[Any, ...]]:
    """`n` movements in time order, each valid against the balances the earlier ones left."""
    rng = random.Random(seed)
    stock: dict[tuple[int, int], dict[str, int]] = {}
    at = datetime(2025, 1, 1, tzinfo=UTC)
    step = timedelta(seconds=30)
    for i in range(n):
        node, sku = rng.randrange(nodes), rng.randrange(skus)
        held = stock.setdefault((node, sku), {})
        roll = rng.random()
        frm: str | None
        to: str | None
        if not held or roll < 0.5:
            frm, to, qty, reason = None, rng.choice(INBOUND), rng.choice((1, 1, 1, 2, 3)), "disposition"
        else:
            frm = rng.choice(sorted(held))
            qty = rng.randint(1, held[frm])
            if roll < 0.8 and frm in ONWARD:
                to, reason = rng.choice(ONWARD[frm]), "work_order"
            elif frm in SHIPPED_FROM:
                to, reason = None, "shipped"
            else:
                to, reason = rng.choice(ONWARD[frm]), "regraded"
        if frm is not None:
            held[frm] -= qty
            if not held[frm]:
                del held[frm]
        if to is not None:
            held[to] = held.get(to, 0) + qty
        at += step
        yield (
            tenant_id, new_id("mov"), node_code(node), sku_code(sku), frm, to, qty,
            "A" if to == "sellable" else None, reason, f"BENCH-{i:08d}", None, None, at, "bench",
        )  # fmt: skip


def node_code(i: int) -> str:
    """The i-th node's code."""
    return f"RC{i:02d}"


def sku_code(i: int) -> str:
    """The i-th SKU."""
    return f"SKU-{i:05d}"


def load(url: str, kind: str, rows: Iterator[tuple[Any, ...]], total: int) -> float:
    """Insert the movements (COPY on PostgreSQL, batched inserts on SQLite); rows per second."""
    c = bootstrap(Settings(database_url=url))
    started = time.perf_counter()
    with Progress() as progress:
        task = progress.add_task(f"loading {total:,} movements", total=total)
        if kind == "postgresql":
            raw = c.db.engine.raw_connection()
            try:
                cur = raw.driver_connection.cursor()  # type: ignore[union-attr]
                with cur.copy(f"COPY inventory_movements ({', '.join(COLUMNS)}) FROM STDIN") as copy:
                    for i, row in enumerate(rows, 1):
                        copy.write_row(row)
                        if i % 20_000 == 0:
                            progress.advance(task, 20_000)
                raw.commit()
            finally:
                raw.close()
        else:
            with c.db.engine.begin() as conn:
                batch: list[dict[str, Any]] = []
                for row in rows:
                    batch.append(dict(zip(COLUMNS, row, strict=True)))
                    if len(batch) == 20_000:
                        conn.execute(insert(InventoryMovementRow), batch)
                        progress.advance(task, len(batch))
                        batch = []
                if batch:
                    conn.execute(insert(InventoryMovementRow), batch)
        progress.update(task, completed=total)
    rate = total / (time.perf_counter() - started)
    c.db.engine.dispose()
    return rate


def maintain(url: str, kind: str, command: str) -> None:
    """ANALYZE, or VACUUM (ANALYZE) outside a transaction on PostgreSQL (plain ANALYZE on SQLite)."""
    c = bootstrap(Settings(database_url=url))
    if kind == "sqlite":
        # Nothing for VACUUM to do on an append-only SQLite table; ANALYZE must be committed.
        with c.db.engine.connect() as conn:
            conn.execute(text("ANALYZE"))
            conn.commit()
    else:
        with c.db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text(command))
    c.db.engine.dispose()


def timed(call: Callable[[], Sized], calls: int) -> dict[str, Any]:
    """p50/p99/max over `calls` calls, and the items the last call returned."""
    times, items = [], 0
    for _ in range(calls):
        t0 = time.perf_counter()
        items = len(call())
        times.append((time.perf_counter() - t0) * 1000)
    times.sort()

    def at(q: float) -> float:
        return times[min(len(times) - 1, round(q * (len(times) - 1)))]

    return {
        "calls": calls,
        "items": items,
        "p50_ms": round(at(0.5), 1),
        "p99_ms": round(at(0.99), 1),
        "max_ms": round(times[-1], 1),
        "mean_ms": round(statistics.fmean(times), 1),
    }


Pick = Callable[[], dict[str, Any]]


def scopes(args: argparse.Namespace, rng: random.Random) -> list[tuple[str, int, Pick]]:
    """(scope, calls, the arguments of one balances call) — random nodes and SKUs, so caches do not
    flatter."""

    def node() -> str:
        return node_code(rng.randrange(args.nodes))

    def sku() -> str:
        return sku_code(rng.randrange(args.skus))

    def node_and_sku() -> dict[str, Any]:
        return {"node": node(), "sku": sku()}

    def sku_only() -> dict[str, Any]:
        return {"sku": sku()}

    def node_only() -> dict[str, Any]:
        return {"node": node(), "limit": inventory.MAX_PAGE}

    def tenant_first_page() -> dict[str, Any]:
        return {}

    def tenant_first_max_page() -> dict[str, Any]:
        return {"limit": inventory.MAX_PAGE}

    return [
        ("node_and_sku", args.calls, node_and_sku),
        ("sku", args.calls, sku_only),
        ("node", max(args.calls // 4, 5), node_only),
        ("tenant_first_page", args.calls, tenant_first_page),
        ("tenant_first_page_max", max(args.calls // 4, 5), tenant_first_max_page),
    ]


def measure(url: str, actor: Actor, args: argparse.Namespace, phase: str) -> list[dict[str, Any]]:
    """Time the balances use case for every scope, and apart from it the repository's query alone."""
    c = bootstrap(Settings(database_url=url))
    rng = random.Random(args.seed + 1)
    out = []
    for scope, calls, pick in scopes(args, rng):
        inventory.balances(c.db, actor, **pick())  # warm the connection and the plan cache

        def use_case() -> Sized:
            return inventory.balances(c.db, actor, **pick())[0]  # noqa: B023

        def query() -> Sized:
            kw = pick()  # noqa: B023
            with c.db.uow(actor.tenant_id, readonly=True) as uow:
                return uow.inventory.page(kw.get("node"), kw.get("sku"), limit=kw.get("limit", 500))[0]

        whole = timed(use_case, calls)
        sql = timed(query, calls)
        out.append(
            {
                "phase": phase,
                "scope": scope,
                **whole,
                "query_p50_ms": sql["p50_ms"],
                "query_p99_ms": sql["p99_ms"],
                "loadavg_1m": os.getloadavg()[0],
            }
        )
    for page_size in (inventory.PAGE_SIZE, inventory.MAX_PAGE):
        out.append({"phase": phase, **paging(c, actor, page_size, passes=args.passes)})
    out.append({"phase": phase, **export(c, actor, passes=args.passes)})
    c.db.engine.dispose()
    return out


def paging(c: Any, actor: Actor, page_size: int, passes: int) -> dict[str, Any]:
    """Follow the cursor through the whole tenant `passes` times: per-page times and per-pass totals."""
    per_page: list[float] = []
    per_pass: list[float] = []
    items = 0
    for _ in range(passes):
        after: tuple[str, str] | None = None
        items, started = 0, time.perf_counter()
        while True:
            t0 = time.perf_counter()
            page, after = inventory.balances(c.db, actor, after=after, limit=page_size)
            per_page.append((time.perf_counter() - t0) * 1000)
            items += len(page)
            if after is None:
                break
        per_pass.append(time.perf_counter() - started)
    per_page.sort()
    return {
        "scope": f"tenant_all_pages_{page_size}",
        "calls": len(per_page),
        "items": items,
        "pages_per_pass": len(per_page) // passes,
        "p50_ms": round(per_page[len(per_page) // 2], 1),
        "p99_ms": round(per_page[min(len(per_page) - 1, round(0.99 * (len(per_page) - 1)))], 1),
        "max_ms": round(per_page[-1], 1),
        "pass_s": round(statistics.median(per_pass), 2),
        "loadavg_1m": os.getloadavg()[0],
    }


def export(c: Any, actor: Actor, passes: int) -> dict[str, Any]:
    """The whole tenant's CSV, produced chunk by chunk as the export endpoint streams it."""
    times, size = [], 0
    for _ in range(passes):
        t0 = time.perf_counter()
        size = sum(len(chunk) for chunk in inventory.export_csv(c.db, actor))
        times.append(time.perf_counter() - t0)
    return {
        "scope": "tenant_csv_export",
        "calls": passes,
        "bytes": size,
        "pass_s": round(statistics.median(times), 2),
        "loadavg_1m": os.getloadavg()[0],
    }


def writes(url: str, actor: Actor, args: argparse.Namespace) -> dict[str, Any]:
    """`move_in` of one movement between buckets of a random pair (lock, check, append, upsert, commit)."""
    c = bootstrap(Settings(database_url=url))
    rng = random.Random(args.seed + 3)
    times: list[float] = []
    refused = 0
    for _ in range(args.calls):
        node, sku = node_code(rng.randrange(args.nodes)), sku_code(rng.randrange(args.skus))
        [item], _ = inventory.balances(c.db, actor, node, sku)
        held = sorted(b for b, q in item["buckets"].items() if q)
        if not held:
            continue
        frm = rng.choice(held)
        to = rng.choice([b for b in BUCKETS if b != frm])
        t0 = time.perf_counter()
        try:
            with c.db.uow(actor.tenant_id) as uow:
                inventory.move_in(
                    uow, actor, datetime.now(UTC), [Movement(node, sku, frm, to, 1, "bench", "B")]
                )
                uow.commit()
        except ValidationFailed:
            refused += 1
        times.append((time.perf_counter() - t0) * 1000)
    times.sort()
    c.db.engine.dispose()
    return {
        "phase": "vacuumed",
        "scope": "move_in",
        "calls": len(times),
        "refused": refused,
        "p50_ms": round(times[len(times) // 2], 1),
        "p99_ms": round(times[min(len(times) - 1, round(0.99 * (len(times) - 1)))], 1),
        "max_ms": round(times[-1], 1),
        "loadavg_1m": os.getloadavg()[0],
    }


def explain(url: str, actor: Actor, args: argparse.Namespace) -> dict[str, str]:
    """EXPLAIN (ANALYZE, BUFFERS) of the SQL the use case sends, per scope (PostgreSQL only)."""
    c = bootstrap(Settings(database_url=url))
    plans: dict[str, str] = {}
    rng = random.Random(args.seed + 2)
    last_page = inventory.balances(c.db, actor, limit=inventory.MAX_PAGE)[1]
    cases = [(scope, pick) for scope, _, pick in scopes(args, rng)]
    cases.append(("tenant_next_page", lambda: {"after": last_page}))
    for scope, pick in cases:
        seen: list[tuple[str, Any]] = []

        def capture(conn: Any, cur: Any, stmt: str, params: Any, ctx: Any, many: bool) -> None:
            if "inventory_balances" in stmt:
                seen.append((stmt, params))  # noqa: B023

        event.listen(c.db.engine, "before_cursor_execute", capture)
        inventory.balances(c.db, actor, **pick())
        event.remove(c.db.engine, "before_cursor_execute", capture)
        stmt, params = seen[-1]
        raw = c.db.engine.raw_connection()
        try:
            cur = raw.cursor()
            cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + stmt, params)
            plans[scope] = "\n".join(r[0] for r in cur.fetchall())
        finally:
            raw.close()
    c.db.engine.dispose()
    return plans


def backfill(url: str) -> float:
    """Upgrade to head: migration 0009 creates the balances table and folds the ledger into it (s)."""
    c = bootstrap(Settings(database_url=url))
    started = time.perf_counter()
    upgrade(c.db.engine)
    took = time.perf_counter() - started
    c.db.engine.dispose()
    return took


def main() -> None:
    """Load the ledger, backfill the balances, then time the balances for each scope; print JSON lines."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--db", choices=["sqlite", "postgresql"], default="postgresql")
    ap.add_argument("--movements", type=int, default=1_000_000)
    ap.add_argument("--nodes", type=int, default=20)
    ap.add_argument("--skus", type=int, default=5_000)
    ap.add_argument("--calls", type=int, default=200, help="calls per narrow scope (fewer wide)")
    ap.add_argument("--passes", type=int, default=3, help="passes through the whole tenant")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--explain", action="store_true", help="print the PostgreSQL plans (after VACUUM)")
    ap.add_argument(
        "--gc-freeze",
        action="store_true",
        help="experiment: gc.freeze() after start-up, so full collections skip the imported modules",
    )
    args = ap.parse_args()
    if args.gc_freeze:
        gc.collect()
        gc.freeze()
    url, pg_name = database_url(args.db)
    try:
        c = bootstrap(Settings(database_url=url))
        upgrade(c.db.engine, BEFORE_BALANCES)
        tenant = create_tenant(c.db, c.clock, "bench", "Benchmark Outfitters")
        c.db.engine.dispose()
        actor = system_actor(tenant.id, "bench")
        rows = movements(tenant.id, args.movements, args.nodes, args.skus, args.seed)
        rate = load(url, args.db, rows, args.movements)
        backfill_s = backfill(url)
        maintain(url, args.db, "ANALYZE")
        meta = {
            "db": args.db,
            "movements": args.movements,
            "nodes": args.nodes,
            "skus": args.skus,
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "gc_frozen": args.gc_freeze,
        }
        print(
            json.dumps(
                {
                    **meta,
                    "load_rows_per_s": round(rate),
                    "backfill_s": round(backfill_s, 1),
                    "loadavg_1m": os.getloadavg()[0],
                }
            ),
            flush=True,
        )
        results = measure(url, actor, args, "analyzed")
        maintain(url, args.db, "VACUUM (ANALYZE) inventory_balances")
        results += measure(url, actor, args, "vacuumed")
        results.append(writes(url, actor, args))
        for r in results:
            met = r["p99_ms"] < TARGET_MS if "p99_ms" in r and r["scope"] != "move_in" else None
            print(json.dumps({**meta, **r, "target_ms": TARGET_MS, "met": met}))
        if args.explain and args.db == "postgresql":
            for scope, plan in explain(url, actor, args).items():
                print(f"\n-- {scope}\n{plan}")
    finally:
        if pg_name:
            drop_database(pg_name)
        elif url.startswith("sqlite:///"):  # ~0.5 GB at 1M movements
            for suffix in ("", "-wal", "-shm", ".write-lock"):
                Path(url.removeprefix("sqlite:///") + suffix).unlink(missing_ok=True)


if __name__ == "__main__":
    main()
