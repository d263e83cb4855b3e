"""The worker SIGKILLed at random points while relaying: every event still arrives, same webhook-id."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

from returnflow.bootstrap import Container
from returnflow.services.access import system_actor
from returnflow.services.clock import system_clock
from returnflow.services.recording import record
from returnflow.services.relay import LEASE
from returnflow.services.subscriptions import create_subscription, set_development_mode
from returnflow.services.tenants import tenant_by_slug
from tests.webhook_receiver import Receiver

EVENTS = 80


def _start(database_url: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, "RETURNFLOW_DATABASE_URL": database_url, "RETURNFLOW_SMTP_HOST": ""}
    exe = Path(sys.executable).with_name("returnflow")
    return subprocess.Popen(
        [str(exe), "worker", "--interval", "0.05"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )


def test_killed_worker_loses_nothing(container, tenant_slug, database_url):
    c = Container(settings=container.settings, db=container.db, clock=system_clock)
    rng = random.Random()
    with Receiver() as rx:
        tid = tenant_by_slug(c.db, tenant_slug).id
        actor = system_actor(tid)
        set_development_mode(c.db, c.clock, actor, True)
        create_subscription(c.db, c.clock, actor, rx.url, ["kill.*"], lambda h, p: [])
        expected: set[str] = set()
        for batch in range(4):
            with c.db.uow(tid) as uow:
                for i in range(EVENTS // 4):
                    record(
                        uow,
                        actor,
                        c.clock(),
                        "kill.test",
                        "thing",
                        f"{batch}-{i}",
                        {"n": i},
                        topic="kill.test",
                    )
                uow.commit()
            # Kill it a few times at random points: in fan-out, mid-request, between commits.
            proc = _start(database_url)
            time.sleep(rng.uniform(0.3, 1.2))
            proc.send_signal(signal.SIGKILL)
            proc.wait()
        with c.db.uow(tid, readonly=True) as uow:
            expected = {e.id for e in uow.records.events(limit=1000) if e.topic == "kill.test"}
        assert len(expected) == EVENTS
        proc = _start(database_url)
        try:
            # A delivery claimed by a killed worker is retried once its lease has run out.
            deadline = time.monotonic() + LEASE.total_seconds() + 15
            while time.monotonic() < deadline and not expected <= set(rx.ids()):
                time.sleep(0.1)
        finally:
            proc.send_signal(signal.SIGTERM)
            _, stderr = proc.communicate(timeout=10)
        received = rx.ids()
        assert expected <= set(received), (len(expected - set(received)), stderr.decode()[-2000:])
        bodies: dict[str, bytes] = {}
        for headers, body in rx.received:
            # A re-delivery carries the same webhook-id and the same event.
            assert bodies.setdefault(headers["webhook-id"], body) == body
