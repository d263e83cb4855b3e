"""Routing reuses the tenant's network between requests, but never a network that has changed."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update

from returnflow.adapters.db.tables import NodeRow
from tests.integration.test_api_routing import _network, _return


def test_a_node_edited_through_the_api_is_routed_by_at_once(admin):
    _network(admin)
    assert _return(admin, number="R-1")["destination"]["node_code"] == "ST-NYC"
    # Same request clock, same process: the store takes no more returns.
    store = {"kind": "store", "name": "SoHo Store", "postal_code": "10012", "country": "US"}
    r = admin.put(
        "/nodes/ST-NYC",
        {**store, "capabilities": ["receive", "inspect"], "handling_cost": 100, "daily_capacity": 0},
    )
    assert r.status_code == 200, r.text
    assert _return(admin, number="R-2")["destination"]["node_code"] != "ST-NYC"


def test_a_node_changed_by_another_process_is_seen_on_the_next_request(admin, container):
    _network(admin)
    assert _return(admin, number="R-1")["destination"]["node_code"] == "ST-NYC"
    # Another server process (or an operator's SQL) takes the store out of the network: no ORM
    # event fires here, only the row and its updated_at change.
    with container.db.engine.begin() as conn:
        conn.execute(
            update(NodeRow)
            .where(NodeRow.code == "ST-NYC")
            .values(daily_capacity=0, updated_at=container.clock() + timedelta(seconds=1))
        )
    assert _return(admin, number="R-2")["destination"]["node_code"] != "ST-NYC"
