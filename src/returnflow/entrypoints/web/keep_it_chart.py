"""Geometry of the keep-it report's SVG bar chart (net saving per category), drawn like the
returns-per-status chart: the same bars, sizes and template markup, no JS library."""

from __future__ import annotations

from collections.abc import Sequence

from returnflow.entrypoints.web.chart import BAR, BAR_SPACE, LABEL_WIDTH, ROW, WIDTH, Bar, Chart
from returnflow.services.keep_it_report import Figures

MONEY_ROOM = 50  # amounts are wider than counts


def saving_chart(categories: Sequence[Figures]) -> Chart:
    """One bar per category, longest for the largest saving; `count` is the net saving (minor units).

    A loss (negative saving) is drawn by its size; the amount beside it carries the minus sign.
    """
    most = max((abs(f.net_saving) for f in categories), default=0)
    bars = [
        Bar(
            status=f.key,
            label=f.label,
            count=f.net_saving,
            y=i * ROW,
            width=max(2, round(BAR_SPACE * abs(f.net_saving) / most)) if f.net_saving else 0,
        )
        for i, f in enumerate(categories)
    ]
    return Chart(
        bars=bars,
        width=WIDTH + MONEY_ROOM,
        height=max(len(bars), 1) * ROW,
        label_width=LABEL_WIDTH,
        bar_height=BAR,
        total=sum(f.net_saving for f in categories),
    )
