"""The demo tenant's US return network: warehouses, return centers, stores and recovery partners."""

from __future__ import annotations

from typing import Any

Body = dict[str, Any]

# (code, kind, name, postal_code, capabilities, daily_capacity). Placed where such sites really
# cluster (Inland Empire, Reno-Sparks, Alliance TX, Rickenbacker OH, Louisville's air hub) so routing
# by distance gives believable answers. Only the two regional return centers and the refurbishers
# carry `hazmat`: lithium-battery and aerosol returns must be steered there, which exercises the
# compliance rule instead of every node accepting everything.
_NODES: tuple[tuple[str, str, str, str, tuple[str, ...], int], ...] = (
    (
        "DC-EAST",
        "warehouse",
        "Carlisle East Fulfillment Center",
        "17013",
        ("receive", "inspect", "restock"),
        1400,
    ),
    (
        "DC-WEST",
        "warehouse",
        "Sparks West Fulfillment Center",
        "89431",
        ("receive", "inspect", "restock"),
        1100,
    ),
    (
        "RC-DFW",
        "return_center",
        "Alliance Regional Returns Center",
        "76177",
        ("receive", "inspect", "restock", "refurbish", "hazmat", "donate", "dispose"),
        900,
    ),
    (
        "RC-CMH",
        "return_center",
        "Rickenbacker Regional Returns Center",
        "43217",
        ("receive", "inspect", "restock", "hazmat", "liquidate", "donate", "dispose"),
        800,
    ),
    (
        "RC-ONT",
        "return_center",
        "Inland Empire Returns Center",
        "91761",
        ("receive", "inspect", "restock", "liquidate", "dispose"),
        700,
    ),
    ("ST-NYC", "store", "SoHo Flagship Store", "10012", ("receive", "inspect", "restock"), 120),
    ("ST-CHI", "store", "Michigan Avenue Store", "60611", ("receive", "inspect", "restock"), 100),
    ("ST-ATL", "store", "Midtown Atlanta Store", "30309", ("receive", "inspect", "restock"), 80),
    ("ST-DEN", "store", "Downtown Denver Store", "80202", ("receive", "inspect", "restock"), 70),
    ("ST-SEA", "store", "Seattle Downtown Store", "98101", ("receive", "inspect", "restock"), 80),
    ("DO-BOS", "drop_off", "Back Bay Returns Drop-off", "02116", ("receive",), 250),
    ("DO-MIA", "drop_off", "Brickell Returns Drop-off", "33131", ("receive",), 200),
    (
        "RF-AUS",
        "refurbisher",
        "Austin Electronics Refurbishment",
        "78744",
        ("receive", "inspect", "refurbish", "repair", "hazmat", "recycle"),
        250,
    ),
    (
        "RF-SDF",
        "refurbisher",
        "Louisville Repair & Refurb Hub",
        "40209",
        ("receive", "inspect", "refurbish", "repair", "hazmat"),
        300,
    ),
    (
        "RY-PHX",
        "recycler",
        "Phoenix Certified E-Waste Recycling",
        "85043",
        ("receive", "recycle", "hazmat", "dispose"),
        500,
    ),
    (
        "LQ-JOL",
        "liquidator",
        "Joliet Liquidation & Donation Partner",
        "60431",
        ("receive", "liquidate", "donate"),
        600,
    ),
    (
        "VN-SJC",
        "vendor",
        "Voltaic Electronics Vendor Returns",
        "95134",
        ("receive", "inspect", "repair"),
        150,
    ),
)


def generate_nodes() -> list[Body]:
    """The demo return network as `PUT /v1/nodes/{code}` bodies, each with its `code`."""
    return [
        {
            "code": code,
            "kind": kind,
            "name": name,
            "postal_code": postal_code,
            "country": "US",
            "capabilities": list(capabilities),
            "daily_capacity": capacity,
        }
        for code, kind, name, postal_code, capabilities, capacity in _NODES
    ]
