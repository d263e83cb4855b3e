"""Bulk carrier scan import and carrier secrets through the CLI, on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from returnflow.adapters.policy_document import default_policy_text
from returnflow.entrypoints import cli_tracking
from returnflow.entrypoints.cli import app
from returnflow.services import tracking
from returnflow.services.access import system_actor
from returnflow.services.policies import save_policy
from returnflow.services.tenants import tenant_by_slug
from tests.integration.tracking_helpers import FIXTURES, make_return, post_webhook, sign

NUMBER = "1Z999AA10123456784"  # the tracking number in the scan fixtures


@pytest.fixture
def cli(container: Any, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    """The CLI over the test database."""
    monkeypatch.setattr(cli_tracking, "container", lambda migrate=False: container)
    return CliRunner()


def _status(container: Any, slug: str, return_id: str) -> tuple[str, int]:
    tenant_id = tenant_by_slug(container.db, slug).id
    with container.db.uow(tenant_id, readonly=True) as uow:
        row = uow.returns.get(return_id)
        assert row is not None
        return row.status, len(uow.tracking.events_of(return_id))


@pytest.mark.parametrize("name", ["scans.csv", "scans.jsonl"])
def test_a_scan_file_moves_returns_and_a_second_import_adds_nothing(name, cli, admin, container, tenant_slug):
    ret = make_return(admin, container, tenant_slug, NUMBER)
    path = FIXTURES / name
    r = cli.invoke(app, ["import", "scans", str(path), "--tenant", tenant_slug])
    assert r.exit_code == 0, r.output
    assert "imported" in r.output
    status, stored = _status(container, tenant_slug, ret["id"])
    assert status == "delivered" and stored > 0
    again = cli.invoke(app, ["import", "scans", str(path), "--tenant", tenant_slug])
    assert again.exit_code == 0 and "imported 0 new scan(s)" in again.output
    assert _status(container, tenant_slug, ret["id"]) == (status, stored)


def test_a_file_of_many_chunks_applies_each_parcel_once_and_credits_once(
    cli, admin, container, tenant_slug, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    # Chunks of three events, and every parcel's scans spread over the whole file between other
    # parcels' and unknown numbers' scans: each return must still end as if its scans came at once.
    monkeypatch.setattr(tracking, "IMPORT_CHUNK", 3)
    tenant_id = tenant_by_slug(container.db, tenant_slug).id
    policy = default_policy_text().replace("low: immediate", "low: first_scan")
    save_policy(container.db, container.clock, system_actor(tenant_id, "test"), policy)
    numbers = [f"1ZCHUNK{i:09d}" for i in range(2)]
    returns = [make_return(admin, container, tenant_slug, n) for n in numbers]
    steps = ["picked_up", "in_transit", "out_for_delivery", "delivered"]
    rows = ["event_id,tracking_number,status,occurred_at"]
    for k, step in enumerate(steps):
        for i, number in enumerate(numbers):
            rows.append(f"e-{i}-{k},{number},{step},2026-03-1{k + 1}T10:00:00Z")
            rows.append(f"u-{i}-{k},1ZNOLABEL{i:08d},{step},2026-03-1{k + 1}T11:00:00Z")
    rows.append(f"e-0-0,{numbers[0]},picked_up,2026-03-11T10:00:00Z")  # a repeat, far from its first copy
    path = tmp_path / "scans.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    r = cli.invoke(app, ["import", "scans", str(path), "--tenant", tenant_slug])
    assert r.exit_code == 0, r.output
    assert "imported 16 new scan(s)" in r.output
    for ret in returns:
        assert _status(container, tenant_slug, ret["id"]) == ("delivered", len(steps))
        refunds = [c for c in admin.get(f"/returns/{ret['id']}/credits").json() if c["kind"] == "refund"]
        assert len(refunds) == 1
        kinds = [e["action"] for e in admin.get(f"/returns/{ret['id']}").json()["timeline"]]
        assert kinds.count("return.in_transit") == 1 and kinds.count("return.delivered") == 1
    with container.db.uow(tenant_id, readonly=True) as uow:
        assert len(uow.tracking.unmatched("1ZNOLABEL00000001")) == len(steps)


def test_a_bad_row_rejects_the_whole_file_naming_its_rows(cli, admin, container, tenant_slug, tmp_path: Path):
    ret = make_return(admin, container, tenant_slug, NUMBER)
    path = tmp_path / "scans.csv"
    path.write_text(
        "event_id,tracking_number,status,occurred_at\n"
        f"ok-1,{NUMBER},delivered,2026-03-14T10:00:00Z\n"
        f"bad-1,{NUMBER},teleported,2026-03-14T10:00:00Z\n"
        f"bad-2,{NUMBER},in_transit,yesterday\n",
        encoding="utf-8",
    )
    r = cli.invoke(app, ["import", "scans", str(path), "--tenant", tenant_slug])
    assert r.exit_code == 1
    assert "row 3" in r.output and "row 4" in r.output and "nothing was imported" in r.output
    assert _status(container, tenant_slug, ret["id"]) == ("approved", 0)


def test_carrier_secret_set_keeps_the_previous_secret_for_the_rotation(
    cli, admin, client, container, tenant_slug
):
    make_return(admin, container, tenant_slug, "1ZCLI0000000001")
    for secret in ("whsec-first-0001", "whsec-second-0002"):
        r = cli.invoke(
            app,
            ["carrier-secret", "set", "--tenant", tenant_slug, "--provider", "generic", "--secret", secret],
        )
        assert r.exit_code == 0, r.output
        assert secret not in r.output
    assert "2 active" in r.output
    body = b'{"event_id":"k-1","tracking_number":"1ZCLI0000000001","status":"picked_up",'
    body += b'"occurred_at":"2026-03-14T10:00:00Z"}'
    for secret in ("whsec-first-0001", "whsec-second-0002"):
        assert (
            post_webhook(client, tenant_slug, "generic", body, sign("generic", body, secret)).status_code
            == 200
        )
    r = cli.invoke(
        app,
        ["carrier-secret", "set", "--tenant", tenant_slug, "--provider", "ups", "--secret", "whsec-x-00000"],
    )
    assert r.exit_code == 1 and "unknown_provider" in r.output
    tenant_id = tenant_by_slug(container.db, tenant_slug).id
    with container.db.uow(tenant_id, readonly=True) as uow:
        audit = [e.data for e in uow.records.audit_entries() if e.action == "carrier_secret.set"]
    assert len(audit) == 2 and "whsec" not in repr(audit)
