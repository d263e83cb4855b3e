"""`returnflow import nodes|rates FILE` as an operator runs them: all or nothing, on both databases."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from click.testing import Result
from typer.testing import CliRunner

from returnflow.bootstrap import Container
from returnflow.entrypoints.cli import app
from returnflow.services.tenants import tenant_by_slug
from tests.builders import line, order, return_request
from tests.integration.conftest import Api

PLACED = datetime(2026, 3, 1, 15, 0, tzinfo=UTC)
NODES_HEADER = "code,kind,name,postal_code,country,capabilities,daily_capacity,handling_cost\n"
RATES_HEADER = "service,zone,max_km,max_grams,price,transit_days\n"


def _write(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def _run(cli: CliRunner, what: str, file: str, slug: str) -> Result:
    """`returnflow import WHAT FILE --tenant SLUG`."""
    return cli.invoke(app, ["import", what, file, "--tenant", slug])


def _nodes(admin: Api) -> dict[str, dict]:
    r = admin.get("/nodes")
    assert r.status_code == 200, r.text
    return {n["code"]: n for n in r.json()}


def _rate_card(container: Container, slug: str, service: str) -> list:
    with container.db.uow(tenant_by_slug(container.db, slug).id, readonly=True) as uow:
        row = uow.routing.service(service)
        assert row is not None
        return list(row.rate_card or [])


# --- nodes ----------------------------------------------------------------------------------------


def test_nodes_csv_is_imported_and_listed(
    cli: CliRunner, admin: Api, tenant_slug: str, tmp_path: Path
) -> None:
    rows = (
        "RC-DFW,return_center,Alliance Returns,76177,US,receive;inspect;restock;hazmat,100,150\n"
        "ST-NYC,store,SoHo Store,10012,US,receive;inspect,,100\n"
    )
    result = _run(cli, "nodes", _write(tmp_path, "nodes.csv", NODES_HEADER + rows), tenant_slug)
    assert result.exit_code == 0, result.output
    assert f"imported 2 node(s) into {tenant_slug}" in result.output
    nodes = _nodes(admin)
    assert set(nodes) == {"RC-DFW", "ST-NYC"}
    assert nodes["RC-DFW"]["kind"] == "return_center" and nodes["RC-DFW"]["daily_capacity"] == 100
    assert sorted(nodes["RC-DFW"]["capabilities"]) == ["hazmat", "inspect", "receive", "restock"]
    assert nodes["ST-NYC"]["name"] == "SoHo Store" and nodes["ST-NYC"]["handling_cost"] == 100

    # Importing again updates in place (same codes, new values), it never duplicates.
    again = "ST-NYC,store,SoHo Flagship,10012,US,receive,,120\n"
    result = _run(cli, "nodes", _write(tmp_path, "again.csv", NODES_HEADER + again), tenant_slug)
    assert result.exit_code == 0, result.output
    nodes = _nodes(admin)
    assert len(nodes) == 2 and nodes["ST-NYC"]["name"] == "SoHo Flagship"
    assert nodes["ST-NYC"]["handling_cost"] == 120


def test_nodes_json_is_imported(cli: CliRunner, admin: Api, tenant_slug: str, tmp_path: Path) -> None:
    doc = {
        "nodes": [
            {
                "code": "RC-NJ",
                "kind": "return_center",
                "name": "Edison Returns",
                "postal_code": "08817",
                "country": "US",
                "capabilities": ["receive", "inspect", "restock"],
                "handling_cost": 200,
            },
        ]
    }
    result = _run(cli, "nodes", _write(tmp_path, "nodes.json", json.dumps(doc)), tenant_slug)
    assert result.exit_code == 0, result.output
    assert _nodes(admin)["RC-NJ"]["postal_code"] == "08817"


def test_nodes_csv_with_bad_rows_is_rejected_whole_naming_each_row(
    cli: CliRunner, admin: Api, tenant_slug: str, tmp_path: Path
) -> None:
    rows = (
        "RC-DFW,return_center,Alliance Returns,76177,US,receive;inspect,100,150\n"  # row 2: fine
        "RC-BAD,spaceport,Moon Base,76177,US,receive,,\n"  # row 3: unknown kind
        "RC-NOWHERE,return_center,Nowhere,00000,US,receive,,\n"  # row 4: unknown postal code
        ",store,No Code,10012,US,receive,,\n"  # row 5: no code
        "ST-NYC,store,SoHo Store,10012,US,receive,-5,\n"  # row 6: negative capacity
    )
    path = _write(tmp_path, "bad.csv", NODES_HEADER + rows)
    result = _run(cli, "nodes", path, tenant_slug)
    assert result.exit_code == 1
    assert "nothing was imported" in result.output
    for bad in ("row 3", "row 4", "row 5", "row 6"):
        assert bad in result.output, bad
    assert "row 2" not in result.output
    assert "00000" in result.output  # the unknown postal code is named
    assert _nodes(admin) == {}  # the good row was not written either


def test_nodes_json_with_bad_entries_is_rejected_whole(
    cli: CliRunner, admin: Api, tenant_slug: str, tmp_path: Path
) -> None:
    doc = [
        {"code": "RC-NJ", "kind": "return_center", "name": "Edison", "postal_code": "08817", "country": "US"},
        {"code": "RC-X", "kind": "return_center", "postal_code": "08817", "country": "US"},  # no name
        {
            "code": "RC-Y",
            "kind": "return_center",
            "name": "Y",
            "postal_code": "08817",
            "country": "US",
            "capabilities": ["teleport"],
        },
    ]
    result = _run(cli, "nodes", _write(tmp_path, "bad.json", json.dumps(doc)), tenant_slug)
    assert result.exit_code == 1
    assert "node 2" in result.output and "node 3" in result.output
    assert "node 1" not in result.output
    assert _nodes(admin) == {}


# --- rate cards -----------------------------------------------------------------------------------


def _carrier_network(cli: CliRunner, admin: Api, slug: str, tmp_path: Path) -> None:
    """One return centre and one ground service (no rates yet) of the tenant's own carrier."""
    node = "RC-NJ,return_center,Edison Returns,08817,US,receive;inspect;restock,100,200\n"
    result = _run(cli, "nodes", _write(tmp_path, "n.csv", NODES_HEADER + node), slug)
    assert result.exit_code == 0, result.output
    r = admin.put(
        "/carriers/ACME", {"name": "Acme Freight", "services": [{"code": "ACME-G", "name": "Acme Ground"}]}
    )
    assert r.status_code == 200, r.text


def _routed_return(admin: Api, number: str = "R-1") -> dict:
    r = admin.post("/orders", order(number, [line(unit_price=5900)], placed=PLACED))
    assert r.status_code == 201, r.text
    ret = admin.post("/returns", return_request(number, r.json()["lines"][0]["id"]))
    assert ret.status_code == 201, ret.text
    got = admin.get(f"/returns/{ret.json()['id']}")
    return dict(got.json())


def test_rates_csv_is_imported_and_used_by_routing(
    cli: CliRunner, admin: Api, container: Container, tenant_slug: str, tmp_path: Path
) -> None:
    _carrier_network(cli, admin, tenant_slug, tmp_path)
    rates = "ACME-G,1,5000,5000,7.25,3\nACME-G,1,5000,30000,12.50,3\n"
    result = _run(cli, "rates", _write(tmp_path, "rates.csv", RATES_HEADER + rates), tenant_slug)
    assert result.exit_code == 0, result.output
    assert f"imported rate cards of 1 service(s) into {tenant_slug}" in result.output
    assert len(_rate_card(container, tenant_slug, "ACME-G")) == 2

    ret = _routed_return(admin)
    assert ret["destination"] == {"node_code": "RC-NJ"}
    assert ret["carrier_service"] == "ACME-G"
    assert ret["routing"]["chosen"]["shipping"] == 725  # a 450 g sweater: the first weight break


def test_rates_csv_with_bad_rows_is_rejected_whole_naming_each_row(
    cli: CliRunner, admin: Api, container: Container, tenant_slug: str, tmp_path: Path
) -> None:
    _carrier_network(cli, admin, tenant_slug, tmp_path)
    good = "ACME-G,1,5000,30000,9.00,3\n"
    assert _run(cli, "rates", _write(tmp_path, "ok.csv", RATES_HEADER + good), tenant_slug).exit_code == 0
    before = _rate_card(container, tenant_slug, "ACME-G")

    rows = (
        "ACME-G,1,5000,5000,4.00,2\n"  # row 2: fine
        "ACME-G,1,5000,heavy,4.00,2\n"  # row 3: max_grams is not a number
        "ACME-G,1,5000,30000,,2\n"  # row 4: no price
        ",1,5000,30000,4.00,2\n"  # row 5: no service
    )
    result = _run(cli, "rates", _write(tmp_path, "bad.csv", RATES_HEADER + rows), tenant_slug)
    assert result.exit_code == 1
    assert "nothing was saved" in result.output
    for bad in ("row 3", "row 4", "row 5"):
        assert bad in result.output, bad
    assert "row 2" not in result.output
    assert _rate_card(container, tenant_slug, "ACME-G") == before  # the old card is still in force
    assert _routed_return(admin)["routing"]["chosen"]["shipping"] == 900


def test_rates_for_an_unknown_service_are_rejected_and_nothing_is_saved(
    cli: CliRunner, admin: Api, container: Container, tenant_slug: str, tmp_path: Path
) -> None:
    _carrier_network(cli, admin, tenant_slug, tmp_path)
    rows = "ACME-G,1,5000,30000,9.00,3\nNOPE-AIR,1,5000,30000,19.00,1\n"
    result = _run(cli, "rates", _write(tmp_path, "rates.csv", RATES_HEADER + rows), tenant_slug)
    assert result.exit_code == 1
    assert "NOPE-AIR" in result.output
    assert _rate_card(container, tenant_slug, "ACME-G") == []
