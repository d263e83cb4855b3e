"""Geometry of the ops console's server-rendered SVG bar chart (returns per status); no JS library."""

from __future__ import annotations

from dataclasses import dataclass

from returnflow.entrypoints.web.render import STATUS_WORDS

LABEL_WIDTH = 130
BAR_SPACE = 280
ROW = 26
BAR = 18
WIDTH = LABEL_WIDTH + BAR_SPACE + 60


@dataclass(frozen=True)
class Bar:
    """One status: its label, count and where its bar sits in the SVG."""

    status: str
    label: str
    count: int
    y: int
    width: int


@dataclass(frozen=True)
class Chart:
    """Every bar plus the SVG's size."""

    bars: list[Bar]
    width: int
    height: int
    label_width: int
    bar_height: int
    total: int


def status_chart(counts: dict[str, int]) -> Chart:
    """Bars in lifecycle order, scaled to the largest count (a non-zero count is at least 2px wide)."""
    known = [s for s in STATUS_WORDS if counts.get(s)]
    order = known + sorted(s for s in counts if s not in STATUS_WORDS and counts[s])
    most = max((counts[s] for s in order), default=0)
    bars = [
        Bar(
            status=status,
            label=STATUS_WORDS.get(status, status.replace("_", " ").capitalize()),
            count=counts[status],
            y=i * ROW,
            width=max(2, round(BAR_SPACE * counts[status] / most)),
        )
        for i, status in enumerate(order)
    ]
    return Chart(
        bars=bars,
        width=WIDTH,
        height=max(len(bars), 1) * ROW,
        label_width=LABEL_WIDTH,
        bar_height=BAR,
        total=sum(counts[s] for s in order),
    )
