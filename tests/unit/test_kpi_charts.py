"""The KPI page's reason Pareto: bars most first, to scale, with the running share of units returned."""

from __future__ import annotations

from returnflow.entrypoints.web.chart import BAR_SPACE, LABEL_WIDTH
from returnflow.entrypoints.web.kpi_charts import MAX_LABEL_WIDTH, reason_pareto


def _reason(code: str, units: int, label: str | None = None) -> dict[str, object]:
    return {"reason": code, "label": label or code.replace("_", " ").capitalize(), "units": units}


def test_bars_are_to_scale_and_carry_the_running_share():
    reasons = [_reason("too_small", 50), _reason("defective", 25), _reason("other", 1)]
    pareto = reason_pareto(reasons, units_returned=100)  # 24 units' reasons fell outside the top ten
    bars = pareto.chart.bars
    assert [(b.status, b.count) for b in bars] == [("too_small", 50), ("defective", 25), ("other", 1)]
    assert [b.width for b in bars] == [BAR_SPACE, BAR_SPACE // 2, 6]
    assert [b.y for b in bars] == sorted({b.y for b in bars})  # one row each, top to bottom
    assert pareto.cumulative == [0.5, 0.75, 0.76]
    assert pareto.chart.total == 76


def test_long_labels_get_room_up_to_a_limit_and_nothing_draws_no_bars():
    short = reason_pareto([_reason("other", 3)], units_returned=3)
    assert short.chart.label_width == LABEL_WIDTH and short.cumulative == [1.0]
    long = reason_pareto([_reason("defective", 3, "Defective or doesn't work")], units_returned=3)
    assert LABEL_WIDTH < long.chart.label_width <= MAX_LABEL_WIDTH
    assert long.chart.width - short.chart.width == long.chart.label_width - short.chart.label_width
    huge = reason_pareto([_reason("x", 1, "A" * 200)], units_returned=1)
    assert huge.chart.label_width == MAX_LABEL_WIDTH
    empty = reason_pareto([], units_returned=0)
    assert empty.chart.bars == [] and empty.cumulative == [] and empty.chart.height > 0
