"""Return-policy documents (YAML or JSON): validated with pydantic, compiled into a domain Policy.

Every problem in a document is reported at once, each with a dotted path such as ``rules[3].when``.
Money amounts are decimal strings in the policy currency (``"5.95"``) and become integer minor
units; conditions are rule-engine expressions over the context documented in
``returnflow.domain.policy_request`` (money there is in decimal major units).
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Mapping
from importlib import resources
from typing import TYPE_CHECKING, Any

import yaml
from babel.numbers import get_currency_precision
from pydantic import ValidationError

from returnflow.adapters.policy_schema import ChargeDoc, PolicyDoc, RuleDoc, field_names, known_currency
from returnflow.domain.errors import FieldProblem, PolicyInvalid
from returnflow.domain.money import to_minor
from returnflow.domain.policy import (
    DEFAULT_CREDIT_TRIGGERS,
    RISK_TIERS,
    Charge,
    KeepItPolicy,
    MonthDay,
    Policy,
    PolicyRule,
    WindowExtension,
)

if TYPE_CHECKING:
    from returnflow.adapters.policy_conditions import CompiledCondition

__all__ = ["default_policy_text", "examples_policy_text", "load_policy", "parse_document"]

_DOCUMENT = "document"


def _invalid(code: str, message: str, field: str = _DOCUMENT) -> PolicyInvalid:
    return PolicyInvalid(message, code="policy_invalid", problems=[FieldProblem(field, code, message)])


class UniqueKeyLoader(yaml.SafeLoader):
    """A safe YAML loader that refuses duplicate keys instead of silently keeping the last one."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key {key!r}", key_node.start_mark
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def _unique_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise ValueError(f"duplicate key {key!r}")
        result[key] = value
    return result


def parse_document(text: str) -> dict[str, Any]:
    """YAML or JSON text to a dict; syntax errors become a PolicyInvalid naming line and column."""
    if not text.strip():
        raise _invalid("empty_document", "the policy document is empty")
    data: Any
    if text.lstrip().startswith(("{", "[")):
        try:
            data = json.loads(text, object_pairs_hook=_unique_pairs)
        except json.JSONDecodeError as exc:
            raise _invalid("invalid_json", f"line {exc.lineno} column {exc.colno}: {exc.msg}") from exc
        except ValueError as exc:
            raise _invalid("invalid_json", str(exc)) from exc
    else:
        try:
            data = yaml.load(text, Loader=UniqueKeyLoader)  # a SafeLoader: plain data only
        except yaml.YAMLError as exc:
            raise _invalid("invalid_yaml", _yaml_message(exc)) from exc
    if not isinstance(data, dict):
        raise _invalid("not_a_mapping", "the policy document must be a mapping of fields")
    return data


def _yaml_message(exc: yaml.YAMLError) -> str:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    problem = getattr(exc, "problem", None) or str(exc)
    if mark is None:
        return str(problem)
    return f"line {mark.line + 1} column {mark.column + 1}: {problem}"


def _path(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif part != "[key]":
            out += f".{part}" if out else part
    return out or _DOCUMENT


_CODES = {"extra_forbidden": "unknown_field", "missing": "required"}


def _pydantic_problems(exc: ValidationError) -> list[FieldProblem]:
    problems = []
    for error in exc.errors(include_url=False):
        message = error["msg"].removeprefix("Value error, ")
        if error["type"] == "extra_forbidden":
            name = str(error["loc"][-1])
            close = difflib.get_close_matches(name, sorted(field_names()), n=1)
            message = f"unknown field {name!r}" + (f" (did you mean {close[0]!r}?)" if close else "")
        problems.append(FieldProblem(_path(error["loc"]), _CODES.get(error["type"], error["type"]), message))
    return problems


def _conditions(data: Mapping[str, Any]) -> tuple[dict[str, CompiledCondition], list[FieldProblem]]:
    """Compile every condition string in the raw document, even when other fields are invalid."""
    # Imported here: building rule-engine's parser takes a third of a second, which commands that
    # never read a policy (a scan import, the worker's start) should not pay.
    from returnflow.adapters.policy_conditions import compile_condition

    compiled: dict[str, CompiledCondition] = {}
    problems: list[FieldProblem] = []
    rules = data.get("rules")
    for i, rule in enumerate(rules if isinstance(rules, list) else []):
        if not isinstance(rule, dict):
            continue
        sources = [(f"rules[{i}].when", rule.get("when"))]
        for kind in ("fee", "bonus"):
            charge = rule.get(kind)
            if isinstance(charge, dict):
                sources.append((f"rules[{i}].{kind}.waive_when", charge.get("waive_when")))
        for path, source in sources:
            if isinstance(source, str):
                condition, found = compile_condition(source, path)
                problems.extend(found)
                if condition is not None:
                    compiled[path] = condition
    return compiled, problems


def _duplicates(data: Mapping[str, Any]) -> list[FieldProblem]:
    problems = []
    for section, key in (("rules", "id"), ("reasons", "code")):
        items = data.get(section)
        seen: set[Any] = set()
        for i, item in enumerate(items if isinstance(items, list) else []):
            value = item.get(key) if isinstance(item, dict) else None
            if isinstance(value, str) and value in seen:
                message = f"{key} {value!r} is used more than once"
                problems.append(FieldProblem(f"{section}[{i}].{key}", f"duplicate_{key}", message))
            seen.add(value)
    return problems


def _charge(
    doc: ChargeDoc | None, default: str, exponent: int, conds: dict[str, CompiledCondition], path: str
) -> Charge | None:
    if doc is None:
        return None
    return Charge(
        code=doc.code,
        description=doc.description or default,
        amount=to_minor(doc.amount, exponent) if doc.amount is not None else 0,
        percent=doc.percent,
        per=doc.per,
        waive_when=conds.get(f"{path}.waive_when"),
    )


def _rule(i: int, doc: RuleDoc, exponent: int, conds: dict[str, CompiledCondition]) -> PolicyRule:
    ext = doc.window_until
    return PolicyRule(
        id=doc.id,
        statement=doc.statement,
        when=conds.get(f"rules[{i}].when"),
        message=doc.message,
        window_days=doc.window_days,
        window_until=None
        if ext is None
        else WindowExtension(_month_day(ext.placed_from), _month_day(ext.placed_to), _month_day(ext.until)),
        reject=doc.reject,
        review=doc.review,
        resolutions=tuple(doc.resolutions) if doc.resolutions is not None else None,
        fee=_charge(doc.fee, doc.statement, exponent, conds, f"rules[{i}].fee"),
        bonus=_charge(doc.bonus, doc.statement, exponent, conds, f"rules[{i}].bonus"),
        credit_trigger=doc.credit_trigger,
        checks=tuple(doc.checks),
    )


def _month_day(text: str) -> MonthDay:
    month, day = text.split("-")
    return MonthDay(int(month), int(day))


def _to_policy(doc: PolicyDoc, version: int, exponent: int, conds: dict[str, CompiledCondition]) -> Policy:
    triggers = dict(DEFAULT_CREDIT_TRIGGERS) | dict(doc.credit_triggers)
    keep_it = None
    if doc.keep_it is not None:
        k = doc.keep_it
        keep_it = KeepItPolicy(
            max_item_value=to_minor(k.max_item_value, exponent),
            return_cost_estimate=to_minor(k.return_cost_estimate, exponent),
            recovery_percent=k.recovery_percent,
            max_per_customer_365d=k.max_per_customer_365d,
            risk_tiers=tuple(k.risk_tiers),
            statement=k.statement,
        )
    shipping = doc.shipping
    return Policy(
        version=version,
        name=doc.name,
        currency=doc.currency,
        exponent=exponent,
        window_days=doc.window_days,
        resolutions=tuple(doc.resolutions),
        methods=tuple(doc.methods),
        reasons=tuple((r.code, r.label) for r in doc.reasons) if doc.reasons else None,
        credit_triggers=tuple((tier, triggers[tier]) for tier in RISK_TIERS),
        keep_it=keep_it,
        ship_within_days=shipping.ship_within_days if shipping else None,
        label_valid_days=shipping.label_valid_days if shipping else None,
        shipping_statement=shipping.statement if shipping else None,
        rules=tuple(_rule(i, rule, exponent, conds) for i, rule in enumerate(doc.rules)),
        grade_deductions=tuple(sorted(doc.grade_deductions.items())),
    )


def _rule_index(problem: FieldProblem) -> int:
    found = re.match(r"rules\[(\d+)\]", problem.field)
    return int(found.group(1)) if found else -1


def load_policy(source: str | Mapping[str, Any], version: int = 1) -> Policy:
    """Validate and compile a policy document (text or already-parsed mapping) into a domain Policy."""
    data = parse_document(source) if isinstance(source, str) else dict(source)
    currency = data.get("currency")
    exponent = (
        get_currency_precision(currency) if isinstance(currency, str) and known_currency(currency) else 2
    )
    conds, problems = _conditions(data)
    problems = _duplicates(data) + problems
    doc: PolicyDoc | None = None
    try:
        doc = PolicyDoc.model_validate(data, context={"exponent": exponent})
    except ValidationError as exc:
        problems = _pydantic_problems(exc) + problems
    if problems or doc is None:
        # Group problems per rule, in document order, so an author can fix them top to bottom.
        problems.sort(key=_rule_index)
        count = len(problems)
        raise PolicyInvalid(
            f"the policy has {count} problem{'s' if count != 1 else ''}",
            code="policy_invalid",
            problems=problems,
        )
    return _to_policy(doc, version, exponent, conds)


def _packaged(name: str) -> str:
    return resources.files("returnflow.adapters.policies").joinpath(name).read_text(encoding="utf-8")


def default_policy_text() -> str:
    """The default policy every new tenant starts with (YAML, with comments)."""
    return _packaged("default.yaml")


def examples_policy_text() -> str:
    """A policy expressing the 14 reference statements merchants write (YAML)."""
    return _packaged("examples.yaml")
