"""Shared set-up of the floor tests: a network of nodes, returns ready to receive, a photo store."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from returnflow.adapters.storage.local import LocalPhotoStore
from returnflow.bootstrap import Container
from tests.builders import line, order, product, return_request

PLACED = datetime(2026, 3, 1, 15, 0, tzinfo=UTC)
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 200
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 200
NODES: dict[str, dict[str, Any]] = {
    "DC1": {
        "kind": "return_center",
        "name": "Dallas Returns",
        "postal_code": "76177",
        "country": "US",
        "capabilities": ["receive", "inspect", "restock"],
        "handling_cost": 150,
    },
    "DC2": {
        "kind": "return_center",
        "name": "Edison Returns",
        "postal_code": "08817",
        "country": "US",
        "capabilities": ["receive", "inspect", "restock"],
        "handling_cost": 200,
    },
    "REF1": {
        "kind": "refurbisher",
        "name": "Fort Worth Refurb",
        "postal_code": "76102",
        "country": "US",
        "capabilities": ["refurbish", "repair"],
        "handling_cost": 100,
    },
    "HAZ1": {
        "kind": "recycler",
        "name": "Certified Battery Recycling",
        "postal_code": "75201",
        "country": "US",
        "capabilities": ["recycle", "dispose", "hazmat"],
        "handling_cost": 100,
    },
    "LIQ1": {
        "kind": "liquidator",
        "name": "Bulk Buyers",
        "postal_code": "75001",
        "country": "US",
        "capabilities": ["liquidate", "recycle", "dispose"],
        "handling_cost": 50,
    },
}


def floor_container(base_container: Container, clock: Any, tmp_path: Path, **settings: Any) -> Container:
    """The session's database with the test's clock and a photo store in the test's directory."""
    return Container(
        settings=base_container.settings.model_copy(update=settings),
        db=base_container.db,
        clock=clock,
        photo_store=LocalPhotoStore(tmp_path / "photos"),
    )


@pytest.fixture
def container(base_container: Container, clock: Any, tmp_path: Path) -> Container:
    """The floor tests' container (photos under tmp_path, 300 kB photo limit)."""
    return floor_container(base_container, clock, tmp_path, max_photo_bytes=300_000)


def network(api: Any) -> None:
    """Load the floor's nodes and a few products."""
    for code, body in NODES.items():
        r = api.put(f"/nodes/{code}", body)
        assert r.status_code == 200, r.text
    for sku, over in {
        "PHONE-1": {"name": "Phone", "category": "electronics", "unit_cost": 30000, "weight_grams": 400},
        "BATT-1": {
            "name": "Power bank",
            "category": "electronics",
            "unit_cost": 2000,
            "weight_grams": 300,
            "hazmat_class": "lithium_ion",
        },
        "COAT-1": {"name": "Wool Coat", "category": "apparel", "unit_cost": 6000, "weight_grams": 1200},
    }.items():
        r = api.put(f"/products/{sku}", product(**over))
        assert r.status_code == 200, r.text


def approved_return(
    api: Any,
    number: str,
    items: list[tuple[str, int, int]] | None = None,
    serials: list[str] | None = None,
    **over: Any,
) -> dict[str, Any]:
    """An approved return of an order of (sku, quantity, unit price) lines, every unit returned."""
    items = items or [("SKU-1", 1, 5900)]
    extra = {"serials": serials} if serials else {}
    lines = [line(sku=s, quantity=q, unit_price=p, **extra) for s, q, p in items]
    o = api.post("/orders", order(number, lines, placed=PLACED))
    assert o.status_code == 201, o.text
    body = return_request(number, o.json()["lines"][0]["id"], quantity=items[0][1], **over)
    body["lines"] = [
        {"order_line_id": ol["id"], "quantity": ol["quantity"], "reason": "changed_mind"}
        for ol in o.json()["lines"]
    ]
    r = api.post("/returns", body)
    assert r.status_code == 201, r.text
    if r.json()["status"] == "pending_review":  # the test customer returns a lot
        r = api.post(f"/returns/{r.json()['id']}/approve")
        assert r.status_code == 200, r.text
    assert r.json()["status"] == "approved", r.json()
    return dict(r.json())


def receive(api: Any, scan: str, node: str = "DC1", **over: Any) -> Any:
    """POST /receipts."""
    return api.post("/receipts", {"scan": scan, "node_code": node, **over})


def inspect(api: Any, ret: dict[str, Any], index: int = 0, **body: Any) -> Any:
    """POST an inspection of one line of a return."""
    line_id = ret["lines"][index]["id"]
    return api.post(f"/returns/{ret['id']}/lines/{line_id}/inspection", {"grade": "A", **body})
