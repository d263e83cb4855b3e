"""Geometry of the inventory page's SVG bar chart (units per condition bucket), drawn like the
returns-per-status chart: the same bars, sizes and template markup, no JS library."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from returnflow.domain.inventory import BUCKETS
from returnflow.entrypoints.web.chart import BAR, BAR_SPACE, LABEL_WIDTH, ROW, WIDTH, Bar, Chart

BUCKET_WORDS: Mapping[str, str] = {
    "sellable": "Sellable",
    "open_box": "Open box",
    "refurbish_wip": "Refurbish WIP",
    "repair_wip": "Repair WIP",
    "quarantine": "Quarantine",
    "liquidation": "Liquidation",
    "scrap": "Scrap",
}


def units_per_bucket(rows: Iterable[Mapping[str, Any]]) -> dict[str, int]:
    """Units in each bucket over the balance rows shown (every bucket present, zeros included)."""
    totals = dict.fromkeys(BUCKETS, 0)
    for row in rows:
        for bucket, qty in row["buckets"].items():
            totals[bucket] = totals.get(bucket, 0) + int(qty)
    return totals


def bucket_chart(totals: Mapping[str, int]) -> Chart:
    """One bar per bucket in the ledger's order, scaled to the fullest (a non-empty bucket ≥ 2px)."""
    most = max(totals.values(), default=0)
    bars = [
        Bar(
            status=bucket,
            label=BUCKET_WORDS.get(bucket, bucket.replace("_", " ").capitalize()),
            count=qty,
            y=i * ROW,
            width=max(2, round(BAR_SPACE * qty / most)) if qty > 0 else 0,
        )
        for i, (bucket, qty) in enumerate(totals.items())
    ]
    return Chart(
        bars=bars,
        width=WIDTH,
        height=max(len(bars), 1) * ROW,
        label_width=LABEL_WIDTH,
        bar_height=BAR,
        total=sum(totals.values()),
    )
