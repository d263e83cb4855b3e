"""Serve the app from several worker processes, each accepting on a socket of its own.

With one listening socket shared by every worker, the worker that wakes first accepts every
connection that is waiting, so a client holding a few keep-alive connections (a reverse proxy, an
integrator's pool, a load generator) can land wholly on one worker while the others idle —
measured here: one of two workers doing all of `POST /v1/returns`, half the throughput. Each worker
here listens on its own socket bound with SO_REUSEPORT, and the kernel spreads new connections
over them. A worker that dies is replaced on the same socket; connections the kernel gave that
socket wait for the replacement instead of being refused.
"""

from __future__ import annotations

import multiprocessing
import signal
import socket
import sys
import threading
import traceback
from typing import Any

import uvicorn
from uvicorn.config import STARTUP_FAILURE

# How often the parent looks for a worker to replace (seconds).
WATCH_SECONDS = 0.5


def serve(app: str, *, host: str, port: int, workers: int, factory: bool = True, **options: Any) -> None:
    """Run `app` (an import string) on host:port with `workers` processes until SIGINT/SIGTERM.

    Exits with uvicorn's start-up failure code when a worker cannot start (the app, the database
    or the address is wrong, and would be on every restart).
    """
    if workers <= 1 or not hasattr(socket, "SO_REUSEPORT"):
        uvicorn.run(app, factory=factory, host=host, port=port, workers=workers, **options)
        return
    config = uvicorn.Config(app, factory=factory, host=host, port=port, **options)
    sockets = [_listening(host, port) for _ in range(workers)]
    code = Supervisor(config, sockets).run()
    if code:
        sys.exit(code)


def _listening(host: str, port: int) -> socket.socket:
    """A listening TCP socket on host:port that other sockets may share (SO_REUSEPORT)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


def _work(config: uvicorn.Config, sock: socket.socket) -> None:
    """One worker process: the app on its own socket (SIGINT is the parent's to handle)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    config.configure_logging()
    server = uvicorn.Server(config)
    try:
        server.run(sockets=[sock])
    except Exception:
        if server.started:
            raise
        traceback.print_exc()
    if not server.started:  # the app could not be built or started: restarting will not help
        sys.exit(STARTUP_FAILURE)


class Supervisor:
    """Starts one worker per socket, replaces any that dies, stops them all on SIGINT/SIGTERM."""

    def __init__(self, config: uvicorn.Config, sockets: list[socket.socket]) -> None:
        self.config = config
        self.sockets = sockets
        self.context = multiprocessing.get_context("spawn")
        self.stopping = threading.Event()
        self.workers: list[Any] = []

    def _start(self, sock: socket.socket) -> Any:
        process = self.context.Process(target=_work, args=(self.config, sock), daemon=False)
        process.start()
        return process

    def run(self) -> int:
        """Serve until asked to stop; 0, or STARTUP_FAILURE when a worker could not start."""
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: self.stopping.set())
        self.workers = [self._start(sock) for sock in self.sockets]
        code = 0
        while not self.stopping.wait(WATCH_SECONDS):
            for i, process in enumerate(self.workers):
                if process.is_alive() or self.stopping.is_set():
                    continue
                process.join()
                if process.exitcode == STARTUP_FAILURE:
                    code = STARTUP_FAILURE
                    self.stopping.set()
                    break
                self.workers[i] = self._start(self.sockets[i])
        for process in self.workers:
            if process.is_alive():
                process.terminate()  # SIGTERM: uvicorn finishes the requests in flight
        for process in self.workers:
            process.join()
        for sock in self.sockets:
            sock.close()
        return code
