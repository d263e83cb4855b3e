"""Customer emails through a real local SMTP server, the return timeline, and expiry of unshipped returns."""

from __future__ import annotations

import socket
from datetime import UTC, datetime, timedelta
from email import message_from_bytes

from aiosmtpd.controller import Controller

from returnflow.adapters.email.smtp import SmtpMailer
from returnflow.adapters.email.templates import JinjaTemplates
from returnflow.services import expiry, notifications, relay
from returnflow.services.tenants import tenant_by_slug
from tests.builders import line, order, return_request

PLACED = datetime(2026, 3, 1, 15, 0, tzinfo=UTC)


class Inbox:
    def __init__(self) -> None:
        self.messages: list[bytes] = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(envelope.content)
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _approved_return(admin) -> dict:
    r = admin.post("/orders", order("E-1", [line(quantity=2)], placed=PLACED))
    assert r.status_code == 201, r.text
    ret = admin.post("/returns", return_request("E-1", r.json()["lines"][0]["id"])).json()
    assert ret["status"] == "approved"
    return ret


def test_approved_email_arrives_and_is_on_the_timeline(container, admin, tenant_slug):
    ret = _approved_return(admin)
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    try:
        mailer = SmtpMailer("127.0.0.1", controller.port, "returns@shop.example")
        while relay.fan_out(container.db, container.clock):
            pass
        # The database is shared with other tests: drain every due email, not only the first batch.
        while notifications.send_due(
            container.db, container.clock, mailer, JinjaTemplates(), "https://shop.example"
        ):
            pass
    finally:
        controller.stop()
    approved = f"Your return {ret['number']} is approved".encode()
    mine = [message_from_bytes(m) for m in inbox.messages if approved in m]
    assert len(mine) == 1
    msg = mine[0]
    assert msg["To"] == "ada@example.com"
    assert msg["Subject"] == f"Your return {ret['number']} is approved"
    body = msg.get_payload(decode=True).decode()
    assert "order E-1" in body and f"https://shop.example/portal/returns/{ret['number']}" in body
    items = admin.get(f"/returns/{ret['id']}/timeline").json()["items"]
    titles = [(i["kind"], i["title"]) for i in items]
    assert ("stage", "Return approved") in titles
    assert ("email", f"Email sent: Your return {ret['number']} is approved") in titles


def test_tenant_override_template(container, admin, tenant_slug):
    ret = _approved_return(admin)
    tid = tenant_by_slug(container.db, tenant_slug).id
    with container.db.uow(tid) as uow:
        uow.deliveries.put_template(
            "return_approved", "OK {{ number }}", "Hi from us: {{ number }}", container.clock()
        )
        uow.commit()
    sent = []

    class Memory:
        def send(self, email):
            sent.append(email)

    while relay.fan_out(container.db, container.clock):
        pass
    while notifications.send_due(container.db, container.clock, Memory(), JinjaTemplates()):
        pass
    mine = [e for e in sent if e.subject.startswith("OK ") and ret["number"] in e.subject]
    assert [e.subject for e in mine] == [f"OK {ret['number']}"]
    assert mine[0].text == f"Hi from us: {ret['number']}"


def test_unshipped_approved_return_expires_and_releases_units(container, admin, clock):
    ret = _approved_return(admin)
    assert admin.get("/orders/E-1").json()["lines"][0]["returnable_quantity"] == 1
    clock.now += timedelta(days=13)
    expiry.expire_overdue(container.db, container.clock)
    assert admin.get(f"/returns/{ret['id']}").json()["status"] == "approved"
    clock.now += timedelta(days=2)
    expiry.expire_overdue(container.db, container.clock)
    assert admin.get(f"/returns/{ret['id']}").json()["status"] == "expired"
    assert admin.get("/orders/E-1").json()["lines"][0]["returnable_quantity"] == 2
