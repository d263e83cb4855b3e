"""POST /v1/returns through the real HTTP stack (uvicorn, 2 workers) against a one-insert baseline.

Usage: python benchmarks/bench_returns.py --db sqlite|postgresql [--seconds 20] [--concurrency 16]
Seeds a fresh database (a file under benchmarks/out/ or a new PostgreSQL database), starts the server,
drives the baseline endpoint and then POST /v1/returns in the same run, and prints one JSON line per
endpoint plus the ratio. See benchmarks/README.md for recorded results.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import secrets
import socket
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from rich.progress import Progress
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench_app import metadata  # noqa: E402
from loadgen import LoadResult, run_load  # noqa: E402

from returnflow.adapters.db.tables import OrderLineRow, OrderRow  # noqa: E402
from returnflow.bootstrap import bootstrap  # noqa: E402
from returnflow.config import Settings  # noqa: E402
from returnflow.services import catalog, orders, returns  # noqa: E402
from returnflow.services.access import system_actor  # noqa: E402
from returnflow.services.inputs import OrderInput, ProductInput, ReturnInput  # noqa: E402
from returnflow.services.tenants import create_key, create_tenant  # noqa: E402

PG_ADMIN = os.environ.get("RETURNFLOW_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def database_url(kind: str) -> tuple[str, str | None]:
    """A fresh database for this run: (url, PostgreSQL database name to drop afterwards)."""
    if kind == "sqlite":
        out = HERE / "out"
        out.mkdir(exist_ok=True)
        path = out / f"bench-{secrets.token_hex(3)}.db"
        return f"sqlite:///{path}", None
    name = f"returnflow_bench_{secrets.token_hex(3)}"
    admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(PG_ADMIN).set(database=name).render_as_string(hide_password=False), name


def drop_database(name: str) -> None:
    """Drop the run's PostgreSQL database."""
    admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def seed(url: str, n_orders: int, history: int = 0) -> tuple[str, list[tuple[str, str]]]:
    """A tenant, an admin key, 20 products and `n_orders` one-line orders by distinct customers, of
    which the first `history` already have a return; (key, (order number, line id) of the others)."""
    c = bootstrap(Settings(database_url=url), migrate=True)
    metadata.create_all(c.db.engine)
    tenant = create_tenant(c.db, c.clock, "bench", "Benchmark Outfitters")
    key = create_key(c.db, c.clock, "bench", "admin")
    actor = system_actor(tenant.id, "bench")
    for i in range(20):
        body = {"name": f"Bench Tee {i}", "category": "apparel", "unit_cost": 1200, "weight_grams": 300}
        catalog.upsert_product(c.db, c.clock, actor, f"TEE-{i:02d}", ProductInput.model_validate(body))
    placed = datetime.now(UTC) - timedelta(days=8)
    batch = 1000
    with Progress() as progress:
        task = progress.add_task("seeding orders", total=n_orders)
        for start in range(0, n_orders, batch):
            chunk = [
                OrderInput.model_validate(
                    {
                        "number": f"B-{n:07d}",
                        "channel": "web",
                        "currency": "USD",
                        "placed_at": placed.isoformat(),
                        "delivered_at": (placed + timedelta(days=3)).isoformat(),
                        "customer": {"email": f"c{n}@example.com", "postal_code": "10001", "country": "US"},
                        "lines": [{"sku": f"TEE-{n % 20:02d}", "quantity": 1, "unit_price": 3900}],
                    }
                )
                for n in range(start, min(start + batch, n_orders))
            ]
            orders.import_orders(c.db, c.clock, actor, chunk, [f"#{i}." for i in range(len(chunk))])
            progress.advance(task, len(chunk))
    with c.db.engine.connect() as conn:
        rows = conn.execute(
            select(OrderRow.number, OrderLineRow.id)
            .join(OrderLineRow, OrderLineRow.order_id == OrderRow.id)
            .order_by(OrderRow.number)
        ).all()
    lines = [(number, line_id) for number, line_id in rows]
    if history:
        # A live tenant has returns: the planner's statistics and plans are those of a table in use.
        with Progress() as progress:
            task = progress.add_task("seeding past returns", total=history)
            for number, line_id in lines[:history]:
                body = ReturnInput.model_validate(a_return_body(number, line_id))
                returns.request_return(c.db, c.clock, actor, body)
                progress.advance(task)
    with c.db.engine.connect() as conn:
        # Fresh statistics, as a production database has after autovacuum (the planner needs them).
        conn.execute(text("ANALYZE"))
        conn.commit()
    c.db.engine.dispose()
    return key, lines[history:]


def a_return_body(number: str, line_id: str) -> dict[str, object]:
    """The POST /v1/returns body of the runs: a refund of one unit, size too small."""
    return {
        "order_number": number,
        "resolution": "refund",
        "lines": [{"order_line_id": line_id, "quantity": 1, "reason": "size_too_small"}],
    }


def free_port() -> int:
    """A free TCP port on loopback."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(url: str, port: int, workers: int, wait: float = 120) -> subprocess.Popen[bytes]:
    """The benchmark app served as `returnflow serve` serves the product (uvicorn, one SO_REUSEPORT
    socket per worker); waits (patiently, on a busy machine) until /healthz answers."""
    env = {**os.environ, "RETURNFLOW_DATABASE_URL": url, "RETURNFLOW_DB_POOL_SIZE": "10"}
    cmd = [sys.executable, str(HERE / "bench_app.py"), "--port", str(port), "--workers", str(workers)]
    proc = subprocess.Popen(cmd, env=env)
    deadline = time.time() + wait
    while time.time() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit("server did not start")


def main() -> None:
    """Run the baseline and the returns load against one server; print JSON results."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    ap.add_argument("--seconds", type=float, default=20.0)
    ap.add_argument("--concurrency", type=int, default=16)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--orders", type=int, default=0, help="orders to seed (default: enough for the run)")
    ap.add_argument(
        "--history", type=int, default=2000, help="orders that already have a return when the run starts"
    )
    args = ap.parse_args()
    n_orders = args.orders or int(args.seconds * 800) + 3000 + args.history
    url, pg_name = database_url(args.db)
    proc = None
    try:
        key, lines = seed(url, n_orders, args.history)
        port = free_port()
        proc = start_server(url, port, args.workers)
        auth = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}

        def baseline(_: int) -> tuple[str, str, dict[str, str], bytes]:
            return "POST", "/bench/baseline", auth, b""

        def a_return(i: int) -> tuple[str, str, dict[str, str], bytes]:
            return "POST", "/v1/returns", auth, json.dumps(a_return_body(*lines[i])).encode()

        def a_warmup_return(i: int) -> tuple[str, str, dict[str, str], bytes]:
            return a_return(len(lines) - 1 - i)  # from the far end: the measured run starts at 0

        # Both paths warm (a server that has been serving): connections, caches, prepared statements.
        for name, make in (("warmup", baseline), ("warmup_returns", a_warmup_return)):
            warm = run_load(name, "127.0.0.1", port, make, concurrency=args.concurrency, seconds=2)
            assert warm.completed, f"{name} failed: {warm.statuses}"
        before = cpu_seconds(proc.pid)
        base = run_load(
            "baseline", "127.0.0.1", port, baseline, concurrency=args.concurrency, seconds=args.seconds
        )
        middle = cpu_seconds(proc.pid)
        rets = run_load(
            "post_returns", "127.0.0.1", port, a_return,
            concurrency=args.concurrency, seconds=args.seconds, limit=len(lines) - 3000,
        )  # fmt: skip
        after = cpu_seconds(proc.pid)
        report(
            args, (base, cpu_per_request(before, middle, base)), (rets, cpu_per_request(middle, after, rets))
        )
    finally:
        if proc is not None:
            proc.terminate()
            proc.wait(timeout=30)
        if pg_name:
            drop_database(pg_name)


def cpu_seconds(server_pid: int) -> dict[str, float]:
    """CPU seconds used so far (Linux /proc) by the server's processes, by PostgreSQL's, and by this
    process (the load generator)."""
    tick = os.sysconf("SC_CLK_TCK")
    used = {"server": 0.0, "postgres": 0.0, "load": 0.0}
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            continue
        name = stat[stat.index("(") + 1 : stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2 :].split()
        seconds = (int(fields[11]) + int(fields[12])) / tick
        if int(pid) == os.getpid():
            used["load"] += seconds
        elif int(pid) == server_pid or int(fields[1]) == server_pid:
            used["server"] += seconds
        elif name.startswith("postgres"):
            used["postgres"] += seconds
    return used


def cpu_per_request(start: dict[str, float], end: dict[str, float], res: LoadResult) -> dict[str, float]:
    """Milliseconds of CPU per successful request, by process group, between two readings."""
    n = max(res.completed, 1)
    return {k: round((end[k] - start[k]) / n * 1000, 3) for k in start}


def report(
    args: argparse.Namespace,
    base: tuple[LoadResult, dict[str, float]],
    rets: tuple[LoadResult, dict[str, float]],
) -> None:
    """One JSON line per endpoint (with its CPU per request), then the ratio of returns to
    baseline throughput."""
    meta = {
        "db": args.db,
        "workers": args.workers,
        "concurrency": args.concurrency,
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
    }
    for res, cpu in (base, rets):
        print(
            json.dumps({**meta, **res.summary(), "statuses": dict(res.statuses), "cpu_ms_per_request": cpu})
        )
    ratio = rets[0].throughput / base[0].throughput if base[0].throughput else 0.0
    print(json.dumps({**meta, "ratio_returns_to_baseline": round(ratio, 3)}))


if __name__ == "__main__":
    main()
