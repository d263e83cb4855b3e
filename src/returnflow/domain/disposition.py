"""Disposition: value every recovery path for one inspected unit and choose the best allowed one.

Every path is valued from tables (``DispositionTables``, loaded by ``adapters.disposition``) in
integer minor units of the tables' currency: gross recovery − work cost − handling − transfer to the
node doing the work. Rules then exclude paths (recall, hazmat, grade F, fraud flags); the allowed
path with the highest net value wins. Quarantine in place is always allowed, so every unit gets a
decision. Factors are basis points (1.0 = 10 000) so valuation stays in integers.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from returnflow.domain.disposition_tables import (
    BP,
    CategoryTables,
    DispositionTables,
    VendorTerms,
    WorkTerms,
    bp_of,
)
from returnflow.domain.errors import ValidationFailed

__all__ = [
    "BP",
    "FRAUD_REVIEW",
    "PATHS",
    "PATH_CAPABILITY",
    "RECALL_PATHS",
    "RESALE_PATHS",
    "CategoryTables",
    "Decision",
    "DispositionEngine",
    "DispositionTables",
    "Exclusion",
    "InspectedUnit",
    "Network",
    "Override",
    "PathValue",
    "VendorTerms",
    "WorkNode",
    "WorkTerms",
    "apply_override",
    "bp_of",
]

PATHS = (
    "restock",
    "open_box",
    "refurbish",
    "repair",
    "return_to_vendor",
    "liquidate",
    "donate",
    "recycle",
    "dispose",
    "quarantine",
)
# The node capability a path's work needs; None = done where the unit is (the origin).
PATH_CAPABILITY: Mapping[str, str | None] = {
    "restock": "restock",
    "open_box": "restock",
    "refurbish": "refurbish",
    "repair": "repair",
    "return_to_vendor": None,
    "liquidate": "liquidate",
    "donate": "donate",
    "recycle": "recycle",
    "dispose": "dispose",
    "quarantine": None,
}
# Paths on which the unit (or what is made of it) is sold or given away to be used again.
RESALE_PATHS = frozenset({"restock", "open_box", "refurbish", "repair", "liquidate", "donate"})
RECALL_PATHS = frozenset({"quarantine", "dispose"})
FRAUD_REVIEW = "fraud_review"


@dataclass(frozen=True, slots=True)
class WorkNode:
    """A node that can do work on the unit; `transfer_cost` moves the unit there from the origin."""

    code: str
    capabilities: frozenset[str]
    transfer_cost: int = 0
    handling_cost: int = 0


@dataclass(frozen=True, slots=True)
class InspectedUnit:
    """One inspected unit as disposition sees it; `price` is its full (as-new) selling price."""

    unit_id: str
    sku: str
    category: str
    grade: str
    price: int
    unit_cost: int
    hazmat_class: str | None = None
    recalled: bool = False
    flags: frozenset[str] = frozenset()
    vendor: str | None = None


@dataclass(frozen=True, slots=True)
class Exclusion:
    """Why a path is not allowed for this unit."""

    code: str
    message: str


@dataclass(frozen=True, slots=True)
class PathValue:
    """One valued path: net = gross − cost − handling − transfer; `excluded` empty means allowed."""

    path: str
    node: str | None
    gross: int
    cost: int
    handling: int
    transfer: int
    excluded: tuple[Exclusion, ...] = ()

    @property
    def net(self) -> int:
        """Net recovery in minor units (negative when the path costs more than it brings)."""
        return self.gross - self.cost - self.handling - self.transfer

    @property
    def allowed(self) -> bool:
        """No rule excludes this path."""
        return not self.excluded


@dataclass(frozen=True, slots=True)
class Override:
    """A specialist's choice of another allowed path, with the reason (auditing is the service's)."""

    path: str
    reason: str
    specialist: str


@dataclass(frozen=True, slots=True)
class Decision:
    """The chosen path, what the rules recommended, every alternative and the unit's flags."""

    unit_id: str
    currency: str
    chosen: PathValue
    recommended: PathValue
    alternatives: tuple[PathValue, ...]
    flags: frozenset[str]
    override: Override | None = None

    def value_of(self, path: str) -> PathValue:
        """The valuation of one path."""
        return next(a for a in self.alternatives if a.path == path)


class Network:
    """The nodes a unit can go to from its origin, pre-indexed: the cheapest capable node per path."""

    def __init__(self, origin: WorkNode, others: Sequence[WorkNode] = ()) -> None:
        self.origin = origin
        nodes = [origin, *others]
        self.best: dict[str, WorkNode | None] = {}
        self.best_hazmat: dict[str, WorkNode | None] = {}
        for path, capability in PATH_CAPABILITY.items():
            if capability is None:
                self.best[path] = self.best_hazmat[path] = origin
                continue
            able = [n for n in nodes if capability in n.capabilities]
            self.best[path] = min(able, key=_node_cost, default=None)
            certified = [n for n in able if "hazmat" in n.capabilities]
            self.best_hazmat[path] = min(certified, key=_node_cost, default=None)
        # Per path, in PATHS order: (node code, node handling, transfer, exclusions), by hazmat or not.
        self.placements = {False: self._placements(False), True: self._placements(True)}

    def _placements(self, hazmat: bool) -> tuple[tuple[str | None, int, int, tuple[Exclusion, ...]], ...]:
        out: list[tuple[str | None, int, int, tuple[Exclusion, ...]]] = []
        for path in PATHS:
            node = (self.best_hazmat if hazmat else self.best)[path]
            if node is not None:
                out.append((node.code, node.handling_cost, node.transfer_cost, ()))
                continue
            need = PATH_CAPABILITY[path]
            if hazmat and self.best[path] is not None:
                excluded = Exclusion("hazmat_handler", f"no hazmat-certified node can {need}")
            else:
                excluded = Exclusion("no_node", f"no reachable node can {need}")
            out.append((None, 0, 0, (excluded,)))
        return tuple(out)


def _node_cost(node: WorkNode) -> tuple[int, str]:
    return (node.transfer_cost + node.handling_cost, node.code)


@dataclass(frozen=True, slots=True)
class _Plan:
    """A path's valuation for one (category, grade): gross = price × factors, or a fixed amount."""

    factors: tuple[int, ...]
    fixed_gross: int
    cost: int
    excluded: tuple[Exclusion, ...]

    def gross(self, price: int) -> int:
        return bp_of(price, *self.factors) if self.factors else self.fixed_gross


def _plan(path: str, category: str, grade: str, cat: CategoryTables, tables: DispositionTables) -> _Plan:
    """How a path is valued for a grade in a category, with the exclusions its own terms impose."""
    resale = cat.resale_bp.get(grade, 0)
    if path == "restock":
        if grade not in tables.restock_grades:
            return _Plan((), 0, 0, (Exclusion("grade_not_new", f"grade {grade} cannot be restocked as new"),))
        return _Plan((resale,), 0, 0, ())
    if path == "open_box":
        if grade not in tables.open_box_grades:
            return _Plan((), 0, 0, (Exclusion("grade_not_open_box", f"grade {grade} is not sold open-box"),))
        return _Plan((resale, cat.open_box_bp), 0, 0, ())
    if path in ("refurbish", "repair"):
        terms = cat.refurbish if path == "refurbish" else cat.repair
        if terms is None:
            return _Plan((), 0, 0, (Exclusion("no_terms", f"no {path} terms for {category}"),))
        factors = (cat.resale_bp[terms.result_grade], terms.yield_bp)
        if grade not in terms.from_grades:
            why = Exclusion("grade_not_workable", f"grade {grade} is not taken for {path}")
            return _Plan(factors, 0, terms.cost, (why,))
        return _Plan(factors, 0, terms.cost, ())
    if path == "liquidate":
        return _Plan((cat.liquidation_bp,), 0, 0, ())
    if path == "donate":
        return _Plan((cat.donation_bp,), 0, 0, ())
    if path == "recycle":
        return _Plan((), cat.recycling_value, cat.recycling_cost, ())
    if path == "dispose":
        return _Plan((), 0, cat.disposal_cost, ())
    if path == "quarantine":
        return _Plan((), 0, tables.quarantine_cost, ())
    raise ValueError(f"no plan for {path}")  # return_to_vendor depends on the unit's vendor


def _vendor(unit: InspectedUnit, tables: DispositionTables) -> tuple[int, int, tuple[Exclusion, ...]]:
    terms = tables.vendors.get(unit.vendor) if unit.vendor else None
    if terms is None:
        return 0, 0, (Exclusion("no_vendor_terms", "no return-to-vendor terms for this unit's vendor"),)
    out: list[Exclusion] = []
    if unit.grade not in terms.grades:
        out.append(Exclusion("vendor_refuses_grade", f"{terms.vendor} takes no grade {unit.grade} units"))
    if terms.categories is not None and unit.category not in terms.categories:
        out.append(Exclusion("vendor_refuses_category", f"{terms.vendor} takes no {unit.category}"))
    if unit.hazmat_class and not terms.accepts_hazmat:
        out.append(Exclusion("hazmat_handler", f"{terms.vendor} is not certified for hazmat"))
    return bp_of(unit.unit_cost, terms.credit_bp), terms.fee + terms.shipping_cost, tuple(out)


def _rule_exclusions(path: str, recalled: bool, fraud: bool, grade_f: bool) -> tuple[Exclusion, ...]:
    out: list[Exclusion] = []
    if recalled and path not in RECALL_PATHS:
        out.append(Exclusion("recalled", "a recalled unit is only quarantined or destroyed"))
    if fraud and path != "quarantine":
        out.append(Exclusion("fraud_review", "flagged for fraud review: quarantined until reviewed"))
    if grade_f and path in RESALE_PATHS:
        out.append(Exclusion("grade_f", "grade F is never resold"))
    return tuple(out)


# The rules depend on three facts only, so their exclusions are computed once per combination.
_RULES = {
    (recalled, fraud, grade_f): tuple(_rule_exclusions(p, recalled, fraud, grade_f) for p in PATHS)
    for recalled in (False, True)
    for fraud in (False, True)
    for grade_f in (False, True)
}


class DispositionEngine:
    """Values and chooses paths from one set of tables; build once, call `decide` per unit."""

    def __init__(self, tables: DispositionTables) -> None:
        self.tables = tables
        self._handling = tuple(tables.handling.get(p, 0) for p in PATHS)
        self._plans: dict[tuple[str, str], tuple[_Plan | None, ...]] = {}

    def _plans_for(self, category: str, grade: str) -> tuple[_Plan | None, ...]:
        key = (category, grade)
        plans = self._plans.get(key)
        if plans is None:
            cat = self.tables.category(category)
            plans = tuple(
                None if p == "return_to_vendor" else _plan(p, category, grade, cat, self.tables)
                for p in PATHS
            )
            self._plans[key] = plans
        return plans

    def value_paths(self, unit: InspectedUnit, network: Network) -> tuple[PathValue, ...]:
        """Every path valued at its cheapest capable node, with the reasons it is excluded."""
        fraud = not unit.flags.isdisjoint(self.tables.fraud_flags)
        rules = _RULES[(unit.recalled, fraud, unit.grade == "F")]
        placements = network.placements[bool(unit.hazmat_class)]
        plans = self._plans_for(unit.category, unit.grade)
        values = []
        for i, path in enumerate(PATHS):
            plan = plans[i]
            if plan is None:
                gross, cost, own = _vendor(unit, self.tables)
            else:
                gross, cost, own = plan.gross(unit.price), plan.cost, plan.excluded
            node, node_handling, transfer, placed = placements[i]
            handling = self._handling[i] + node_handling
            values.append(PathValue(path, node, gross, cost, handling, transfer, own + rules[i] + placed))
        return tuple(values)

    def decide(self, unit: InspectedUnit, network: Network) -> Decision:
        """The allowed path with the highest net value (ties: earlier in PATHS), with all alternatives."""
        values = self.value_paths(unit, network)
        best: PathValue | None = None
        for v in values:
            if not v.excluded and (best is None or v.net > best.net):
                best = v
        assert best is not None  # quarantine at the origin is never excluded
        flags = unit.flags
        if not flags.isdisjoint(self.tables.fraud_flags):
            flags = flags | {FRAUD_REVIEW}
        return Decision(unit.unit_id, self.tables.currency, best, best, values, flags)

    def decide_many(self, units: Sequence[InspectedUnit], network: Network) -> list[Decision]:
        """`decide` for a batch of units leaving the same origin."""
        return [self.decide(u, network) for u in units]


def apply_override(decision: Decision, override: Override) -> Decision:
    """The decision with a specialist's path; refused without a reason or for an excluded path."""
    if not override.reason.strip():
        raise ValidationFailed("an override needs a reason", code="override_reason_required")
    if override.path not in PATHS:
        raise ValidationFailed(f"unknown disposition path {override.path!r}", code="unknown_path")
    chosen = decision.value_of(override.path)
    if chosen.excluded:
        why = "; ".join(e.message for e in chosen.excluded)
        raise ValidationFailed(
            f"{override.path} is not allowed for this unit: {why}", code="path_not_allowed"
        )
    return replace(decision, chosen=chosen, override=override)
