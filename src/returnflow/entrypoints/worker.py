"""The worker loop: relay the outbox, deliver webhooks, send emails, pay refunds, run scheduled jobs."""

from __future__ import annotations

import random
import signal
import threading
import time
from types import FrameType

import httpx

from returnflow.adapters.email.smtp import SmtpMailer
from returnflow.adapters.email.templates import JinjaTemplates
from returnflow.adapters.payments.builtin import BuiltinGateway
from returnflow.bootstrap import Container
from returnflow.services import catch_up, expiry, notifications, relay
from returnflow.services.mail_port import MailPort
from returnflow.services.payment_port import PaymentGateway

EXPIRY_EVERY_S = 60.0
# Kept events only wait for a return when a label and a webhook raced (the label's own transaction
# applies the rest): looking every few seconds is soon enough and keeps most idle cycles cheaper.
MATCH_EVERY_S = 5.0


class Worker:
    """One worker process; several may run (PostgreSQL skips rows another worker has locked)."""

    def __init__(
        self,
        c: Container,
        http: httpx.Client | None = None,
        mailer: MailPort | None = None,
        gateway: PaymentGateway | None = None,
    ) -> None:
        s = c.settings
        self.c = c
        self.gateway: PaymentGateway = gateway or BuiltinGateway()
        self.http = http or httpx.Client(timeout=10.0, follow_redirects=False)
        if mailer is None and s.smtp_host:
            mailer = SmtpMailer(
                s.smtp_host,
                s.smtp_port,
                s.smtp_sender,
                starttls=s.smtp_starttls,
                username=s.smtp_username,
                password=s.smtp_password,
            )
        self.mailer = mailer
        self.templates = JinjaTemplates()
        self.rng = random.Random()
        self.stopping = threading.Event()
        self._last_expiry = float("-inf")
        self._last_match = float("-inf")

    def run_once(self) -> int:
        """One pass over every queue; the amount of work done (0 when idle)."""
        c = self.c
        done = 0
        # Kept events may credit a return, and credits owe refunds: both before the relay, so the
        # events they write go out in this same pass.
        if time.monotonic() - self._last_match >= MATCH_EVERY_S:
            self._last_match = time.monotonic()
            done += catch_up.apply_kept_events(c.db, c.clock)
        done += catch_up.pay_due_refunds(c.db, c.clock, self.gateway, self.rng)
        while (n := relay.fan_out(c.db, c.clock)) > 0:
            done += n
        done += relay.deliver_due(c.db, c.clock, self.http, self.rng)
        if self.mailer is not None:
            done += notifications.send_due(
                c.db, c.clock, self.mailer, self.templates, c.settings.public_base_url, self.rng
            )
        if time.monotonic() - self._last_expiry >= EXPIRY_EVERY_S:
            self._last_expiry = time.monotonic()
            done += expiry.expire_overdue(c.db, c.clock)
        return done

    def run(self, interval: float) -> None:
        """Loop until SIGTERM/SIGINT; busy passes follow each other, idle ones wait `interval`."""

        def stop(_sig: int, _frame: FrameType | None) -> None:
            self.stopping.set()

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        while not self.stopping.is_set():
            if self.run_once() == 0:
                self.stopping.wait(interval)
