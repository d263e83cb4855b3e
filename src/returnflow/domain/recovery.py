"""What a node can recover from a returned item: percent of unit cost by node kind × category."""

from __future__ import annotations

from collections.abc import Mapping

# Percent of unit cost a node of each kind typically recovers, by product category ("*" = any
# other). A refurbisher gets far more from electronics than a store, which can only sell them
# open-box; a store resells apparel straight off the floor; recyclers and liquidators pay little.
DEFAULT_RECOVERY_PERCENT: Mapping[str, Mapping[str, int]] = {
    "warehouse": {"apparel": 80, "footwear": 75, "electronics": 45, "home": 60, "beauty": 40, "*": 55},
    "return_center": {"apparel": 75, "footwear": 70, "electronics": 55, "home": 60, "beauty": 40, "*": 55},
    "store": {"apparel": 85, "footwear": 80, "accessories": 80, "electronics": 30, "home": 55, "*": 45},
    "refurbisher": {"electronics": 75, "home": 50, "*": 25},
    "vendor": {"electronics": 60, "*": 50},
    "liquidator": {"*": 30},
    "recycler": {"*": 8},
    "drop_off": {"*": 0},
}


def recovery_percent(kind: str, category: str, overrides: Mapping[str, int] | None = None) -> int:
    """The node's own figure for the category if it has one, else the default for its kind."""
    if overrides:
        if category in overrides:
            return overrides[category]
        if "*" in overrides:
            return overrides["*"]
    table = DEFAULT_RECOVERY_PERCENT.get(kind, {"*": 0})
    return table.get(category, table.get("*", 0))
