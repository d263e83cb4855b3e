"""Policy conditions compiled with rule-engine against a typed context, so typos fail at save time."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from types import MappingProxyType
from typing import Any

import rule_engine

from returnflow.domain.catalog import Product
from returnflow.domain.errors import FieldProblem, PolicyInvalid
from returnflow.domain.orders import Customer, Order, OrderLine
from returnflow.domain.policy import CustomerHistory, LineRequest, ReturnRequest, condition_context

_T = rule_engine.DataType


def _item(value: Mapping[str, Any], name: str) -> Any:
    return value[name]


def _object(name: str, attributes: dict[str, Any]) -> Any:
    # OBJECT types make rule-engine check attribute names and types when the rule is parsed.
    return _T.OBJECT(name, attributes=attributes, accessor=_item)


_STRINGS = _T.ARRAY(_T.STRING)
# Mirrors domain.policy_request.condition_context; a unit test keeps the two in step.
SCHEMA: dict[str, Any] = {
    "order": _object(
        "order",
        {
            "number": _T.STRING,
            "channel": _T.STRING,
            "currency": _T.STRING,
            "country": _T.STRING,
            "total": _T.FLOAT,
            "placed_at": _T.DATETIME,
            "delivered_at": _T.NULLABLE(_T.DATETIME),
        },
    ),
    "line": _object(
        "line",
        {
            "sku": _T.STRING,
            "quantity": _T.FLOAT,
            "unit_price": _T.FLOAT,
            "list_price": _T.NULLABLE(_T.FLOAT),
            "discount_percent": _T.FLOAT,
            "final_sale": _T.BOOLEAN,
            "value": _T.FLOAT,
        },
    ),
    "product": _object(
        "product",
        {
            "sku": _T.STRING,
            "category": _T.STRING,
            "brand": _T.NULLABLE(_T.STRING),
            "tags": _STRINGS,
            "hazmat_class": _T.NULLABLE(_T.STRING),
            "serialized": _T.BOOLEAN,
            "unit_cost": _T.FLOAT,
            "weight_grams": _T.FLOAT,
            "warranty_months": _T.NULLABLE(_T.FLOAT),
        },
    ),
    "customer": _object(
        "customer",
        {
            "email": _T.STRING,
            "tags": _STRINGS,
            "country": _T.STRING,
            "returns_90d": _T.FLOAT,
            "return_rate": _T.FLOAT,
            "keep_it_365d": _T.FLOAT,
        },
    ),
    "request": _object(
        "request",
        {
            "reason": _T.STRING,
            "resolution": _T.STRING,
            "method": _T.NULLABLE(_T.STRING),
            "opened": _T.BOOLEAN,
            "quantity": _T.FLOAT,
            "days_since_delivery": _T.FLOAT,
            "risk_tier": _T.STRING,
            "items_total": _T.FLOAT,
            "line_count": _T.FLOAT,
        },
    ),
}

_CONTEXT = rule_engine.Context(
    type_resolver=rule_engine.type_resolver_from_dict(SCHEMA), default_timezone="utc"
)


@dataclass(frozen=True)
class CompiledCondition:
    """A rule-engine expression that satisfies the domain's Condition protocol."""

    source: str
    path: str
    rule: Any

    def __call__(self, context: Mapping[str, Any]) -> bool:
        """Evaluate against a condition context; a failure names the policy field that caused it."""
        try:
            return bool(self.rule.evaluate(_opaque(context)))
        except rule_engine.EngineError as exc:
            problem = FieldProblem(self.path, "condition_failed", _message(exc))
            raise PolicyInvalid(
                f"policy condition {self.path} failed", code="condition_failed", problems=[problem]
            ) from exc


def _opaque(context: Mapping[str, Any]) -> dict[str, Any]:
    """The context with its objects (order, line, ...) as read-only mappings rather than dicts.

    rule-engine converts a dict it resolves — recursively, every value — each time a condition
    names it; objects typed in SCHEMA are read attribute by attribute anyway, and only the values
    read are converted (the same conversion). This was most of the cost of evaluating a policy.
    """
    return {k: MappingProxyType(v) if isinstance(v, dict) else v for k, v in context.items()}


def _message(exc: rule_engine.EngineError) -> str:
    message = str(getattr(exc, "message", "") or exc)
    suggestion = getattr(exc, "suggestion", None)
    return f"{message} (did you mean {suggestion!r}?)" if suggestion else message


def _code(exc: rule_engine.EngineError) -> str:
    if isinstance(exc, rule_engine.errors.SyntaxError):
        return "syntax_error"
    if isinstance(exc, rule_engine.SymbolResolutionError | rule_engine.AttributeResolutionError):
        return "unknown_symbol"
    return "type_error"


@functools.cache
def sample_contexts() -> tuple[dict[str, Any], ...]:
    """Two realistic contexts (optional fields empty, then filled) every condition is tried on."""
    placed = datetime(2024, 11, 20, 15, 30, tzinfo=UTC)
    contexts = []
    for filled in (False, True):
        line = OrderLine(
            id="ol_sample",
            sku="SKU-1",
            quantity=2,
            unit_price=4999,
            list_price=9999 if filled else None,
            serials=("SN-1", "SN-2") if filled else (),
        )
        product = Product(
            sku="SKU-1",
            name="Sample",
            category="electronics",
            unit_cost=2000,
            weight_grams=800,
            hazmat_class="UN3481" if filled else None,
            serialized=filled,
            warranty_months=12 if filled else None,
            brand="Acme" if filled else None,
            tags=("sample",) if filled else (),
        )
        customer = Customer("sample@example.com", "10001", "US", tags=("loyalty",) if filled else ())
        order = Order(
            number="SAMPLE-1",
            channel="web",
            currency="USD",
            placed_at=placed,
            customer=customer,
            lines=(line,),
            delivered_at=datetime(2024, 11, 23, 10, tzinfo=UTC) if filled else None,
        )
        item = LineRequest(line=line, product=product, quantity=1, reason="defective", opened=filled)
        request = ReturnRequest(
            order=order,
            lines=(item,),
            resolution="refund",
            method="drop_off" if filled else None,
            requested_at=datetime(2024, 12, 2, 9, tzinfo=UTC),
            history=CustomerHistory(2, 10, 3, 1) if filled else CustomerHistory(),
        )
        contexts.append(condition_context(request, item, exponent=2))
    return tuple(contexts)


def compile_condition(source: str, path: str) -> tuple[CompiledCondition | None, list[FieldProblem]]:
    """Parse, type-check and trial-run one condition; problems name `path` and say what is wrong."""
    if not source.strip():
        return None, [FieldProblem(path, "empty_condition", "the condition is empty")]
    try:
        rule = rule_engine.Rule(source, context=_CONTEXT)
    except rule_engine.EngineError as exc:
        return None, [FieldProblem(path, _code(exc), _message(exc))]
    result_type = getattr(getattr(rule.statement, "expression", None), "result_type", None)
    if result_type is not None and result_type not in (_T.BOOLEAN, _T.UNDEFINED):
        message = f"the condition must be true or false, not {result_type.name.lower()}"
        return None, [FieldProblem(path, "not_boolean", message)]
    for context in sample_contexts():
        try:
            outcome = rule.evaluate(_opaque(context))
        except rule_engine.EngineError as exc:
            return None, [FieldProblem(path, "condition_failed", _message(exc))]
        if not isinstance(outcome, bool):
            return None, [FieldProblem(path, "not_boolean", "the condition must be true or false")]
    return CompiledCondition(source=source, path=path, rule=rule), []
