"""Keep-it report: returns resolved without shipping, the refund they gave and what they saved.

For each keep-it return the economics stored when it was resolved are used: the carrier quote
(`source: routing`, shipping + handling and the node's recovery) or, when no quote was possible, the
policy's own estimate (`source: policy_estimate`, the keep-it settings of the return's policy version).
Net saving = shipping + handling avoided − recovery forgone; the refund is given either way.

A return with several lines is split over them exactly (largest remainder): the refund by line value,
shipping + handling by units, recovery by unit cost — so categories and reasons add up to the totals.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from returnflow.adapters.policy_document import load_policy
from returnflow.domain.errors import FieldProblem, ValidationFailed
from returnflow.domain.money import Money, allocate
from returnflow.domain.periods import Days, parse_days
from returnflow.domain.policy import KeepItPolicy
from returnflow.services.access import Actor, Forbidden

if TYPE_CHECKING:
    from returnflow.adapters.db.records import ProductRecord
    from returnflow.adapters.db.tables import ReturnLineRow, ReturnRow
    from returnflow.adapters.db.uow import Database, UnitOfWork

REPORT_ROLES = frozenset({"admin", "specialist", "finance"})
TOP_SKUS = 10
MAX_TOP_SKUS = 100


@dataclass(frozen=True)
class KeptLine:
    """One line's share of a keep-it return (money in minor units of `currency`)."""

    return_id: str
    currency: str
    sku: str
    name: str
    category: str
    reason: str
    units: int
    refund: int
    avoided: int
    forgone: int


@dataclass(frozen=True)
class Figures:
    """Keep-it figures of one group (the whole period, a category, a reason or a SKU)."""

    key: str
    label: str
    returns: int
    units: int
    refund_value: int
    shipping_handling_avoided: int
    recovery_forgone: int

    @property
    def net_saving(self) -> int:
        """What not bringing the items back saved: shipping + handling avoided − recovery forgone."""
        return self.shipping_handling_avoided - self.recovery_forgone

    def as_dict(self, key_name: str | None = None, label_name: str = "label") -> dict[str, Any]:
        """JSON-ready figures, under `key_name` / `label_name` when given."""
        out: dict[str, Any] = {key_name: self.key, label_name: self.label} if key_name else {}
        return {
            **out,
            "returns": self.returns,
            "units": self.units,
            "refund_value": self.refund_value,
            "shipping_handling_avoided": self.shipping_handling_avoided,
            "recovery_forgone": self.recovery_forgone,
            "net_saving": self.net_saving,
        }


@dataclass(frozen=True)
class CurrencyReport:
    """The figures in one currency: totals, by category, by reason and the top SKUs."""

    currency: str
    total: Figures
    estimated_returns: int  # valued with the policy's estimate (no carrier quote was possible)
    by_category: tuple[Figures, ...]
    by_reason: tuple[Figures, ...]
    top_skus: tuple[Figures, ...]

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready section."""
        return {
            "currency": self.currency,
            **self.total.as_dict(),
            "estimated_returns": self.estimated_returns,
            "by_category": [f.as_dict("category") for f in self.by_category],
            "by_reason": [f.as_dict("reason") for f in self.by_reason],
            "top_skus": [f.as_dict("sku", "name") for f in self.top_skus],
        }


@dataclass(frozen=True)
class KeepItReport:
    """Keep-it returns resolved in a period, one section per currency (most returns first)."""

    period: Days
    currencies: tuple[CurrencyReport, ...]

    @property
    def returns(self) -> int:
        """Keep-it returns over every currency."""
        return sum(c.total.returns for c in self.currencies)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready report (GET /v1/reports/keep-it)."""
        return {
            "from": self.period.start.isoformat(),
            "to": self.period.end.isoformat(),
            "returns": self.returns,
            "currencies": [c.as_dict() for c in self.currencies],
        }


@dataclass
class _Tally:
    label: str
    return_ids: set[str] = field(default_factory=set)
    units: int = 0
    refund: int = 0
    avoided: int = 0
    forgone: int = 0

    def add(self, line: KeptLine) -> None:
        self.return_ids.add(line.return_id)
        self.units += line.units
        self.refund += line.refund
        self.avoided += line.avoided
        self.forgone += line.forgone

    def figures(self, key: str) -> Figures:
        return Figures(
            key, self.label, len(self.return_ids), self.units, self.refund, self.avoided, self.forgone
        )


def _group(
    lines: Iterable[KeptLine], key: Callable[[KeptLine], str], label: Callable[[KeptLine], str]
) -> list[Figures]:
    tallies: dict[str, _Tally] = {}
    for line in lines:
        tallies.setdefault(key(line), _Tally(label(line))).add(line)
    return [t.figures(k) for k, t in tallies.items()]


def _words(code: str) -> str:
    return code.replace("_", " ").capitalize() if code else "—"


def summarize(
    lines: Sequence[KeptLine],
    estimated: dict[str, int],
    reason_labels: dict[str, str] | None = None,
    top: int = TOP_SKUS,
) -> tuple[CurrencyReport, ...]:
    """Group kept lines per currency into totals, categories, reasons and top SKUs (pure)."""
    labels = reason_labels or {}

    def reason_label(line: KeptLine) -> str:
        return labels.get(line.reason) or _words(line.reason)

    sections = []
    for currency in sorted({line.currency for line in lines}):
        mine = [line for line in lines if line.currency == currency]
        total = _Tally("All keep-it returns")
        for line in mine:
            total.add(line)
        categories = _group(mine, lambda x: x.category, lambda x: _words(x.category))
        reasons = _group(mine, lambda x: x.reason, reason_label)
        skus = _group(mine, lambda x: x.sku, lambda x: x.name)
        categories.sort(key=lambda f: (-f.net_saving, f.key))
        reasons.sort(key=lambda f: (-f.returns, -f.net_saving, f.key))
        skus.sort(key=lambda f: (-f.units, -f.refund_value, f.key))
        sections.append(
            CurrencyReport(
                currency=currency,
                total=total.figures("total"),
                estimated_returns=estimated.get(currency, 0),
                by_category=tuple(categories),
                by_reason=tuple(reasons),
                top_skus=tuple(skus[:top]),
            )
        )
    return tuple(sorted(sections, key=lambda s: (-s.total.returns, s.currency)))


class _Policies:
    """Keep-it settings of the policy versions the returns were decided under (compiled once each)."""

    def __init__(self, uow: UnitOfWork) -> None:
        self.uow = uow
        self.seen: dict[int, KeepItPolicy | None] = {}

    def keep_it(self, version: int) -> KeepItPolicy | None:
        if version not in self.seen:
            row = self.uow.policies.version(version)
            self.seen[version] = load_policy(row.document, version=version).keep_it if row else None
        return self.seen[version]


def _split(
    ret: ReturnRow,
    lines: Sequence[ReturnLineRow],
    products: Mapping[str, ProductRecord],
    policies: _Policies,
) -> list[KeptLine]:
    """One keep-it return's refund, avoided cost and forgone recovery, split over its lines."""
    economics = ret.routing or {}
    unit_costs = [(products[x.sku].unit_cost if x.sku in products else 0) * x.quantity for x in lines]
    refunds = allocate(ret.refund_total, [x.unit_price * x.quantity for x in lines])
    if economics.get("source") == "routing":
        avoided_total = int(economics.get("return_cost") or 0)
        forgone = allocate(int(economics.get("recovery") or 0), unit_costs)
    else:
        rules = policies.keep_it(ret.policy_version)
        avoided_total = rules.return_cost_estimate if rules else 0
        forgone = [
            Money(cost, ret.currency).percent(rules.recovery_percent).amount if rules else 0
            for cost in unit_costs
        ]
    avoided = allocate(avoided_total, [x.quantity for x in lines])
    out = []
    for i, x in enumerate(lines):
        product = products.get(x.sku)
        out.append(
            KeptLine(
                return_id=ret.id,
                currency=ret.currency,
                sku=x.sku,
                name=product.name if product else x.sku,
                category=product.category if product else "unknown",
                reason=x.reason,
                units=x.quantity,
                refund=refunds[i],
                avoided=avoided[i],
                forgone=forgone[i],
            )
        )
    return out


def _kept_lines(uow: UnitOfWork, period: Days) -> tuple[list[KeptLine], dict[str, int]]:
    kept = uow.returns.kept_between(*period.bounds())
    products = uow.catalog.products(sorted({x.sku for _, lines in kept for x in lines}))
    policies = _Policies(uow)
    out: list[KeptLine] = []
    estimated: dict[str, int] = {}
    for ret, lines in kept:
        out.extend(_split(ret, lines, products, policies))
        if (ret.routing or {}).get("source") != "routing":
            estimated[ret.currency] = estimated.get(ret.currency, 0) + 1
    return out, estimated


def require_reports(actor: Actor) -> None:
    """Reports are for admins, specialists and finance."""
    if actor.role not in REPORT_ROLES:
        raise Forbidden(f"role '{actor.role}' may not read reports", code="forbidden")


def keep_it_report(
    db: Database, actor: Actor, date_from: str | None, date_to: str | None, top: int = TOP_SKUS
) -> KeepItReport:
    """Keep-it returns resolved from `date_from` to `date_to` (YYYY-MM-DD, UTC, both included)."""
    require_reports(actor)
    period = parse_days(date_from, date_to)
    if not 1 <= top <= MAX_TOP_SKUS:
        raise ValidationFailed(
            f"top must be between 1 and {MAX_TOP_SKUS}",
            code="invalid_top",
            problems=[FieldProblem("top", "out_of_range", f"between 1 and {MAX_TOP_SKUS}")],
        )
    with db.uow(actor.tenant_id, readonly=True) as uow:
        lines, estimated = _kept_lines(uow, period)
        reasons = {r.code: r.label for r in uow.policies.reasons()}
    return KeepItReport(period, summarize(lines, estimated, reasons, top))
