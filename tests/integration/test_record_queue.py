"""Audit entries and outbox events queued in a transaction are written with it, or not at all."""

from __future__ import annotations

from returnflow.bootstrap import Container
from returnflow.services.access import system_actor
from returnflow.services.recording import record
from returnflow.services.tenants import tenant_by_slug


def test_what_a_rolled_back_transaction_queued_is_never_written_later(container: Container, tenant_slug):
    c = container
    actor = system_actor(tenant_by_slug(c.db, tenant_slug).id)
    with c.db.uow(actor.tenant_id) as uow:
        before_events = len(uow.records.events(limit=1000))
        before_audit = sum(1 for _ in uow.records.audit_entries())
        record(uow, actor, c.clock(), "probe.discarded", "probe", "p1", {"n": 1}, topic="probe.discarded")
        uow.session.rollback()
        record(uow, actor, c.clock(), "probe.kept", "probe", "p2", {"n": 2}, topic="probe.kept")
        uow.commit()
    with c.db.uow(actor.tenant_id, readonly=True) as uow:
        topics = [e.topic for e in uow.records.events(limit=1000)]
        actions = [e.action for e in uow.records.audit_entries()]
    assert len(topics) == before_events + 1 and "probe.kept" in topics and "probe.discarded" not in topics
    assert len(actions) == before_audit + 1 and actions[-1] == "probe.kept"
    assert "probe.discarded" not in actions


def test_a_rollback_before_anything_reached_the_database_drops_the_queue(container: Container, tenant_slug):
    c = container
    actor = system_actor(tenant_by_slug(c.db, tenant_slug).id)
    with c.db.uow(actor.tenant_id) as uow:
        record(uow, actor, c.clock(), "probe.early", "probe", "p0", {"n": 0}, topic="probe.early")
        uow.session.rollback()  # the transaction's first act: nothing had been sent yet
        record(uow, actor, c.clock(), "probe.after", "probe", "p3", {"n": 3}, topic="probe.after")
        uow.commit()
    with c.db.uow(actor.tenant_id, readonly=True) as uow:
        topics = [e.topic for e in uow.records.events(limit=1000)]
        actions = [e.action for e in uow.records.audit_entries()]
    assert "probe.after" in topics and "probe.early" not in topics
    assert "probe.after" in actions and "probe.early" not in actions
