"""Throughput of tracking-event parsing: signed webhooks (verify + parse) and bulk scan files.

Usage: python benchmarks/bench_scan_parsing.py [--events 100000] [--repeat 3]
Generates its own data (distinct events, realistic sizes), runs each case `--repeat` times and prints
the best run as a Markdown table: events per second, and microseconds per webhook or row.
No database and no HTTP: this measures the adapters alone, the floor under the import path.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import hmac
import json
import platform
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from returnflow.adapters.carriers import PROVIDERS
from returnflow.adapters.carriers.scan_files import read_scans

FIXTURES = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "carriers"
SECRETS = ["bench-secret-current", "bench-secret-previous"]
NOW = datetime(2025, 3, 15, 15, 0, tzinfo=UTC)
STATUSES = ["label_created", "picked_up", "in_transit", "in_transit", "out_for_delivery", "delivered"]
CITIES = ["Austin, TX 78701", "Dallas, TX 75261", "Louisville, KY 40213", "Reno, NV 89502", ""]


def _mac(message: bytes, secret: str = SECRETS[1]) -> bytes:
    # Signed with the second (older) secret so every verification also tries the first one.
    return hmac.new(secret.encode(), message, hashlib.sha256).digest()


def generic_record(i: int) -> dict[str, str]:
    """One distinct generic-format scan."""
    record = {
        "event_id": f"dock-{i:09d}",
        "tracking_number": f"1Z999AA1{i:010d}",
        "status": STATUSES[i % len(STATUSES)],
        "occurred_at": (NOW - timedelta(seconds=i)).isoformat(),
        "carrier": "ups",
    }
    if CITIES[i % len(CITIES)]:
        record["location"] = CITIES[i % len(CITIES)]
    return record


def best(repeat: int, run: Callable[[], int]) -> tuple[float, int]:
    """The fastest of `repeat` runs: (seconds, events produced)."""
    results = []
    for _ in range(repeat):
        start = time.perf_counter()
        produced = run()
        results.append((time.perf_counter() - start, produced))
    return min(results)


def bench_generic_webhooks(n: int, repeat: int) -> tuple[float, int]:
    fmt = PROVIDERS["generic"]
    bodies = [json.dumps(generic_record(i)).encode() for i in range(n)]
    requests = [({"x-returnflow-signature": "sha256=" + _mac(b).hex()}, b) for b in bodies]

    def run() -> int:
        return sum(len(fmt.read(headers, body, SECRETS, NOW)) for headers, body in requests)

    return best(repeat, run)


def bench_provider_fixture(provider: str, fixture: str, n: int, repeat: int) -> tuple[float, int]:
    body = (FIXTURES / fixture).read_bytes()
    fmt = PROVIDERS[provider]
    t = str(int(NOW.timestamp()))
    headers = {
        "easypost": {"X-Hmac-Signature": "hmac-sha256-hex=" + _mac(body).hex()},
        "shippo": {"Shippo-Auth-Signature": f"t={t},v1={_mac(t.encode() + b'.' + body).hex()}"},
        "aftership": {"aftership-hmac-sha256": base64.b64encode(_mac(body)).decode()},
    }[provider]

    def run() -> int:
        return sum(len(fmt.read(headers, body, SECRETS, NOW)) for _ in range(n))

    return best(repeat, run)


def bench_scan_file(path: Path, repeat: int) -> tuple[float, int]:
    def run() -> int:
        scans = read_scans(path)
        scans.raise_if_rejected()
        return len(scans.events)

    return best(repeat, run)


def write_scan_files(folder: Path, n: int) -> tuple[Path, Path]:
    records = [generic_record(i) for i in range(n)]
    csv_path, jsonl_path = folder / "scans.csv", folder / "scans.jsonl"
    with csv_path.open("w", encoding="utf-8") as out:
        out.write("event_id,tracking_number,status,occurred_at,location,carrier\n")
        for r in records:
            location = f'"{r["location"]}"' if "location" in r else ""
            row = [r["event_id"], r["tracking_number"], r["status"], r["occurred_at"], location, r["carrier"]]
            out.write(",".join(row) + "\n")
    with jsonl_path.open("w", encoding="utf-8") as out:
        out.writelines(json.dumps(r) + "\n" for r in records)
    return csv_path, jsonl_path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    n, repeat = args.events, args.repeat
    print(f"Python {sys.version.split()[0]} on {platform.machine()}, {n:,} events, best of {repeat}\n")
    rows: list[tuple[str, float, int, int]] = []
    secs, events = bench_generic_webhooks(n, repeat)
    rows.append(("generic webhook, verify + parse (1 event each)", secs, events, n))
    for provider, fixture in [
        ("easypost", "easypost_tracker_updated.json"),
        ("shippo", "shippo_track_updated.json"),
        ("aftership", "aftership_tracking_update.json"),
    ]:
        hooks = n // 10
        secs, events = bench_provider_fixture(provider, fixture, hooks, repeat)
        rows.append((f"{provider} webhook fixture, verify + parse", secs, events, hooks))
    with tempfile.TemporaryDirectory() as tmp:
        csv_path, jsonl_path = write_scan_files(Path(tmp), n)
        for label, path in [("scan file, CSV", csv_path), ("scan file, JSONL", jsonl_path)]:
            secs, events = bench_scan_file(path, repeat)
            size = path.stat().st_size / 1e6
            rows.append((f"{label} ({size:.1f} MB, read whole)", secs, events, n))
    print("| case | events/s | µs per webhook or row | events |")
    print("|---|---:|---:|---:|")
    for label, secs, events, units in rows:
        print(f"| {label} | {events / secs:,.0f} | {secs / units * 1e6:.1f} | {events:,} |")


if __name__ == "__main__":
    main()
