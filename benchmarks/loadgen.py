"""A lean HTTP/1.1 keep-alive load generator (asyncio streams), so the client costs little CPU."""

from __future__ import annotations

import asyncio
import random
import statistics
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

# (method, path, headers, body) for the i-th request of the run.
RequestFactory = Callable[[int], tuple[str, str, dict[str, str], bytes]]


@dataclass
class LoadResult:
    """What a run measured: completed requests, their latencies and status codes."""

    name: str
    seconds: float
    latencies_ms: list[float] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)
    errors: int = 0

    @property
    def completed(self) -> int:
        """Requests answered with a 2xx status."""
        return sum(n for code, n in self.statuses.items() if 200 <= code < 300)

    @property
    def throughput(self) -> float:
        """Successful requests per second."""
        return self.completed / self.seconds if self.seconds else 0.0

    def percentile(self, p: float) -> float:
        """Latency percentile in milliseconds (all answered requests)."""
        if not self.latencies_ms:
            return float("nan")
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]

    def summary(self) -> dict[str, float | int | str]:
        """A row for the results table."""
        return {
            "name": self.name,
            "requests_ok": self.completed,
            "non_2xx": sum(n for code, n in self.statuses.items() if not 200 <= code < 300),
            "errors": self.errors,
            "throughput_rps": round(self.throughput, 1),
            "p50_ms": round(self.percentile(50), 1),
            "p99_ms": round(self.percentile(99), 1),
            "mean_ms": round(statistics.fmean(self.latencies_ms), 1) if self.latencies_ms else 0.0,
        }


async def _read_response(reader: asyncio.StreamReader) -> int:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    status = int(lines[0].split(b" ", 2)[1])
    length = 0
    for line in lines[1:]:
        if line[:15].lower() == b"content-length:":
            length = int(line[15:].strip())
    if length:
        await reader.readexactly(length)
    return status


async def _connection(
    host: str,
    port: int,
    make: RequestFactory,
    counter: list[int],
    limit: int,
    deadline: float,
    res: LoadResult,
    think_s: float,
) -> None:
    reader, writer = await asyncio.open_connection(host, port)
    try:
        if think_s:
            await asyncio.sleep(random.uniform(0, think_s))  # workstations do not start in step
        while time.perf_counter() < deadline and counter[0] < limit:
            i = counter[0]
            counter[0] += 1
            method, path, headers, body = make(i)
            head = f"{method} {path} HTTP/1.1\r\nHost: {host}:{port}\r\nContent-Length: {len(body)}\r\n"
            head += "".join(f"{k}: {v}\r\n" for k, v in headers.items()) + "\r\n"
            started = time.perf_counter()
            writer.write(head.encode() + body)
            try:
                status = await _read_response(reader)
            except (asyncio.IncompleteReadError, ConnectionError):
                res.errors += 1
                writer.close()
                reader, writer = await asyncio.open_connection(host, port)
                continue
            res.latencies_ms.append((time.perf_counter() - started) * 1000)
            res.statuses[status] += 1
            if think_s:
                await asyncio.sleep(random.uniform(0.5, 1.5) * think_s)
    finally:
        writer.close()


async def _run(
    name: str,
    host: str,
    port: int,
    make: RequestFactory,
    concurrency: int,
    seconds: float,
    limit: int,
    think_s: float = 0.0,
) -> LoadResult:
    res = LoadResult(name=name, seconds=0.0)
    counter = [0]
    started = time.perf_counter()
    deadline = started + seconds
    await asyncio.gather(
        *(_connection(host, port, make, counter, limit, deadline, res, think_s) for _ in range(concurrency))
    )
    res.seconds = time.perf_counter() - started
    return res


def run_load(
    name: str,
    host: str,
    port: int,
    make: RequestFactory,
    *,
    concurrency: int,
    seconds: float,
    limit: int = 10**9,
    think_s: float = 0.0,
) -> LoadResult:
    """Drive `concurrency` keep-alive connections for `seconds` (or `limit` requests).

    With `think_s`, each connection pauses 0.5–1.5 × `think_s` after every answer (a person at a
    workstation rather than a client sending back to back).
    """
    return asyncio.run(_run(name, host, port, make, concurrency, seconds, limit, think_s))
