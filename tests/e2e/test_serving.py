"""`returnflow serve --workers 2`: keep-alive connections spread over the workers, a dead worker is
replaced on its socket, and an app that cannot start stops the server instead of restarting forever."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e

EXE = Path(sys.executable).with_name("returnflow")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _env(tmp_path: Path, **over: str) -> dict[str, str]:
    return {**os.environ, "RETURNFLOW_DATA_DIR": str(tmp_path / "var"), **over}


def _get(sock: socket.socket, port: int) -> bytes:
    sock.sendall(f"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode())
    answer = b""
    while b"\r\n\r\n" not in answer or not answer.endswith(b"}"):
        chunk = sock.recv(4096)
        assert chunk, "connection closed"
        answer += chunk
    return answer.split(b"\r\n", 1)[0]


def _workers(parent: int) -> list[int]:
    """The parent's worker processes (not multiprocessing's resource tracker)."""
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == parent and b"spawn_main" in cmdline:
            found.append(int(pid))
    return sorted(found)


def _sockets(pid: int) -> set[int]:
    """Inodes of the sockets a process holds."""
    inodes = set()
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            target = os.readlink(f"/proc/{pid}/fd/{fd}")
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(int(target[8:-1]))
    return inodes


def _tcp(port: int, state: str) -> set[int]:
    """Inodes of IPv4 TCP sockets on local `port` in `state` (0A listening, 01 established)."""
    inodes = set()
    for row in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = row.split()
        if int(fields[1].split(":")[1], 16) == port and fields[3] == state:
            inodes.add(int(fields[9]))
    return inodes


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[bytes], int]]:
    """`returnflow serve --workers 2` over a fresh SQLite database, answering /healthz."""
    env = _env(tmp_path)
    subprocess.run([str(EXE), "db", "upgrade"], env=env, check=True, capture_output=True)
    port = _free_port()
    proc = subprocess.Popen(
        [str(EXE), "serve", "--workers", "2", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
                s.settimeout(5)
                if _get(s, port) == b"HTTP/1.1 200 OK" and len(_workers(proc.pid)) == 2:
                    break
        except OSError:
            time.sleep(0.2)
    else:
        proc.kill()
        pytest.fail(f"server did not start: {proc.stderr.read() if proc.stderr else ''}")
    yield proc, port
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=30) == 0
    assert _workers(proc.pid) == []


def test_each_worker_listens_on_its_own_socket_and_keep_alive_connections_spread(server) -> None:
    proc, port = server
    workers = _workers(proc.pid)
    listening = _tcp(port, "0A")
    assert len(listening) == 2
    assert all(len(_sockets(pid) & listening) == 1 for pid in workers)
    # Sixteen keep-alive connections opened at once, as a proxy's pool or a load generator does.
    conns = [socket.create_connection(("127.0.0.1", port), timeout=5) for _ in range(16)]
    try:
        assert {_get(c, port) for c in conns} == {b"HTTP/1.1 200 OK"}
        established = _tcp(port, "01")
        held = [len(_sockets(pid) & established) for pid in workers]
        assert sum(held) == 16
        # A shared socket lets the first worker awake take the whole burst; here each gets a share.
        assert min(held) >= 3, held
    finally:
        for c in conns:
            c.close()


def test_a_dead_worker_is_replaced_on_its_socket(server) -> None:
    proc, port = server
    victim = _workers(proc.pid)[0]
    os.kill(victim, signal.SIGKILL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        current = _workers(proc.pid)
        if len(current) == 2 and victim not in current:
            break
        time.sleep(0.2)
    else:
        pytest.fail("the killed worker was not replaced")
    # New connections hash to either socket; every one is answered, the replaced one's too.
    for _ in range(40):
        with socket.create_connection(("127.0.0.1", port), timeout=30) as s:
            s.settimeout(30)
            assert _get(s, port) == b"HTTP/1.1 200 OK"


def test_an_app_that_cannot_start_stops_the_server(tmp_path: Path) -> None:
    env = _env(tmp_path, RETURNFLOW_DATABASE_URL="nosuchdb://nowhere")
    done = subprocess.run(
        [str(EXE), "serve", "--workers", "2", "--port", str(_free_port())],
        env=env,
        capture_output=True,
        timeout=60,
    )
    assert done.returncode == 3
    assert b"nosuchdb" in done.stderr
