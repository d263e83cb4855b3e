"""Inventory: condition buckets, movements between them, balances folded from an append-only ledger.

A movement takes `quantity` units of one SKU at one node from a bucket to another; ``None`` on
either side is the outside world (a unit received into stock, or shipped out to a vendor, a
donation partner, a buyer). Balances are never stored as truth: they are the fold of movements,
and a movement that would take a bucket below zero is refused.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from returnflow.domain.errors import FieldProblem, ValidationFailed

BUCKETS = ("sellable", "open_box", "refurbish_wip", "repair_wip", "quarantine", "liquidation", "scrap")

# Where a disposition path puts the unit; None = it leaves inventory (shipped to vendor / donated).
PATH_BUCKET: Mapping[str, str | None] = {
    "restock": "sellable",
    "open_box": "open_box",
    "refurbish": "refurbish_wip",
    "repair": "repair_wip",
    "return_to_vendor": None,
    "liquidate": "liquidation",
    "donate": None,
    "recycle": "scrap",
    "dispose": "scrap",
    "quarantine": "quarantine",
}


def landing_bucket(path: str) -> str | None:
    """The bucket a unit lands in on a disposition path (None: it leaves inventory)."""
    try:
        return PATH_BUCKET[path]
    except KeyError:
        raise ValidationFailed(f"unknown disposition path {path!r}", code="unknown_path") from None


@dataclass(frozen=True, slots=True)
class StockKey:
    """Where a balance lives: node, SKU, bucket."""

    node: str
    sku: str
    bucket: str


@dataclass(frozen=True, slots=True)
class Movement:
    """`quantity` units of `sku` at `node` from one bucket to another, with a reason and a reference."""

    node: str
    sku: str
    from_bucket: str | None
    to_bucket: str | None
    quantity: int
    reason: str
    reference: str

    def __post_init__(self) -> None:
        problems = []
        for name, bucket in (("from_bucket", self.from_bucket), ("to_bucket", self.to_bucket)):
            if bucket is not None and bucket not in BUCKETS:
                problems.append(
                    FieldProblem(name, "unknown_bucket", f"{bucket!r} is not one of {', '.join(BUCKETS)}")
                )
        if self.from_bucket == self.to_bucket:
            problems.append(FieldProblem("to_bucket", "same_bucket", "a movement must change bucket"))
        if isinstance(self.quantity, bool) or not isinstance(self.quantity, int) or self.quantity <= 0:
            problems.append(
                FieldProblem("quantity", "invalid_quantity", "quantity must be a positive whole number")
            )
        if not self.node or not self.sku:
            problems.append(
                FieldProblem("node" if not self.node else "sku", "required", "node and sku are required")
            )
        if problems:
            raise ValidationFailed("invalid inventory movement", code="invalid_movement", problems=problems)

    @property
    def source(self) -> StockKey | None:
        """The balance this movement draws from (None for a receipt from outside)."""
        return None if self.from_bucket is None else StockKey(self.node, self.sku, self.from_bucket)

    @property
    def target(self) -> StockKey | None:
        """The balance this movement adds to (None when the unit leaves inventory)."""
        return None if self.to_bucket is None else StockKey(self.node, self.sku, self.to_bucket)


def apply(balances: dict[StockKey, int], movement: Movement) -> None:
    """Apply one movement in place; refused (nothing changed) if its source would go below zero."""
    source = movement.source
    if source is not None:
        have = balances.get(source, 0)
        if have < movement.quantity:
            raise ValidationFailed(
                f"only {have} of {movement.sku} in {source.bucket} at {movement.node}; "
                f"cannot move {movement.quantity}",
                code="insufficient_stock",
                problems=[FieldProblem("quantity", "insufficient_stock", f"{have} available")],
            )
        balances[source] = have - movement.quantity
    target = movement.target
    if target is not None:
        balances[target] = balances.get(target, 0) + movement.quantity


def fold(movements: Iterable[Movement]) -> dict[StockKey, int]:
    """Balances from an append-only list of movements; a movement going below zero raises."""
    balances: dict[StockKey, int] = {}
    for movement in movements:
        apply(balances, movement)
    return balances


def balances_for(
    balances: Mapping[StockKey, int], node: str | None = None, sku: str | None = None
) -> dict[str, int]:
    """Quantity per bucket, optionally for one node and/or one SKU (zero buckets included)."""
    out = dict.fromkeys(BUCKETS, 0)
    for key, qty in balances.items():
        if (node is None or key.node == node) and (sku is None or key.sku == sku):
            out[key.bucket] += qty
    return out
