"""The pydantic schema of a return-policy document: field names, types and per-field checks."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

from babel.numbers import list_currencies
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    model_validator,
)
from pydantic_core import PydanticCustomError

from returnflow.domain.inspection import GRADES
from returnflow.domain.policy import (
    CHARGE_BASES,
    CHECKS,
    CREDIT_TRIGGERS,
    METHODS,
    RESOLUTIONS,
    RISK_TIERS,
)


def known_currency(value: object) -> bool:
    """True for an ISO-4217 code babel knows (so its minor-unit exponent is known)."""
    return isinstance(value, str) and value in list_currencies()


def _one_of(choices: tuple[str, ...]) -> Callable[[str], str]:
    def check(value: str) -> str:
        if value not in choices:
            raise PydanticCustomError(
                "invalid_choice",
                "{value} is not one of: {choices}",
                {"value": repr(value), "choices": ", ".join(choices)},
            )
        return value

    return check


def _decimal(value: Any) -> Any:
    # YAML turns 5.95 into a float; going through str keeps the digits the author wrote.
    if isinstance(value, bool):
        raise PydanticCustomError("invalid_number", 'expected a number like "5.95"')
    if isinstance(value, int | float | str):
        try:
            return Decimal(str(value).strip())
        except InvalidOperation:
            raise PydanticCustomError("invalid_number", 'expected a number like "5.95"') from None
    return value


def _non_negative(value: Decimal) -> Decimal:
    if not value.is_finite() or value < 0:
        raise PydanticCustomError("negative_amount", "must be zero or more")
    return value


def _fits_currency(value: Decimal, info: ValidationInfo) -> Decimal:
    exponent = (info.context or {}).get("exponent", 2)
    if value != value.quantize(Decimal(1).scaleb(-exponent)):
        raise PydanticCustomError(
            "too_precise", "at most {exponent} decimal places for this currency", {"exponent": exponent}
        )
    return value


def _percent(value: Decimal) -> Decimal:
    if value > 100:
        raise PydanticCustomError("invalid_percent", "a percentage must be between 0 and 100")
    return value


def _month_day(value: str) -> str:
    try:
        month, day = (int(part) for part in value.split("-"))
        date(2000, month, day)  # a leap year, so 02-29 is accepted
    except ValueError:
        raise PydanticCustomError(
            "invalid_month_day", "expected a day of the year as MM-DD, e.g. 01-31"
        ) from None
    return f"{month:02d}-{day:02d}"


def _currency(value: str) -> str:
    if not known_currency(value):
        raise PydanticCustomError(
            "invalid_currency", "'{value}' is not an ISO-4217 currency code", {"value": value}
        )
    return value


_Number = Annotated[Decimal, BeforeValidator(_decimal), AfterValidator(_non_negative)]
Amount = Annotated[_Number, AfterValidator(_fits_currency)]
Percent = Annotated[_Number, AfterValidator(_percent)]
Code = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$", max_length=64)]
# No dots: "policy.*" ids are reserved for the statements of the settings sections.
RuleId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]*$", max_length=80)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
Days = Annotated[int, Field(ge=0, le=3650)]
PositiveDays = Annotated[int, Field(ge=1, le=3650)]
MonthDayText = Annotated[str, AfterValidator(_month_day)]
Resolution = Annotated[str, AfterValidator(_one_of(RESOLUTIONS))]
Method = Annotated[str, AfterValidator(_one_of(METHODS))]
Trigger = Annotated[str, AfterValidator(_one_of(CREDIT_TRIGGERS))]
Tier = Annotated[str, AfterValidator(_one_of(RISK_TIERS))]
Check = Annotated[str, AfterValidator(_one_of(CHECKS))]
Basis = Annotated[str, AfterValidator(_one_of(CHARGE_BASES))]
Grade = Annotated[str, AfterValidator(_one_of(GRADES))]


class _Doc(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ChargeDoc(_Doc):
    """A fee or bonus: `amount` (fixed) or `percent` (of the goods' value), `per` return/line/unit."""

    code: Code
    description: str | None = None
    amount: Amount | None = None
    percent: Percent | None = None
    per: Basis = "return"
    waive_when: str | None = None

    @model_validator(mode="after")
    def _amount_or_percent(self) -> ChargeDoc:
        if (self.amount is None) == (self.percent is None):
            raise PydanticCustomError("amount_or_percent", "give exactly one of amount or percent")
        return self


class WindowUntilDoc(_Doc):
    """Orders placed between two days of the year may be returned until a later day."""

    placed_from: MonthDayText
    placed_to: MonthDayText
    until: MonthDayText


_EFFECTS = (
    "window_days",
    "window_until",
    "reject",
    "resolutions",
    "fee",
    "bonus",
    "credit_trigger",
)


class RuleDoc(_Doc):
    """One statement of the policy: when it applies and what it does."""

    id: RuleId
    statement: Text
    when: str | None = None
    message: str | None = None
    window_days: Days | None = None
    window_until: WindowUntilDoc | None = None
    reject: Code | None = None
    review: bool = False
    resolutions: Annotated[list[Resolution], Field(min_length=1)] | None = None
    fee: ChargeDoc | None = None
    bonus: ChargeDoc | None = None
    credit_trigger: Trigger | None = None
    checks: list[Check] = Field(default_factory=list)

    @model_validator(mode="after")
    def _has_effect(self) -> RuleDoc:
        if not (self.review or self.checks or any(getattr(self, name) is not None for name in _EFFECTS)):
            raise PydanticCustomError(
                "no_effect",
                "a rule needs an effect: {effects}",
                {"effects": ", ".join((*_EFFECTS, "review", "checks"))},
            )
        return self


class KeepItDoc(_Doc):
    """When to refund without asking for the item back."""

    max_item_value: Amount
    return_cost_estimate: Amount
    recovery_percent: Percent
    max_per_customer_365d: Annotated[int, Field(ge=0)]
    risk_tiers: list[Tier] = Field(default_factory=lambda: ["low"])
    statement: str | None = None


class ShippingDoc(_Doc):
    """How long after the request the item may be shipped, and how long a label stays valid."""

    ship_within_days: PositiveDays | None = None
    label_valid_days: PositiveDays | None = None
    statement: str | None = None


class ReasonDoc(_Doc):
    """A return reason customers can pick."""

    code: Code
    label: Text


def field_names() -> set[str]:
    """Every field name a policy document may use anywhere (for "did you mean" hints)."""
    models: list[type[BaseModel]] = [
        PolicyDoc,
        RuleDoc,
        ChargeDoc,
        WindowUntilDoc,
        KeepItDoc,
        ShippingDoc,
        ReasonDoc,
    ]
    return {name for model in models for name in model.model_fields}


class PolicyDoc(_Doc):
    """A whole return-policy document."""

    name: Text
    currency: Annotated[str, AfterValidator(_currency)]
    description: str | None = None
    window_days: Days = 30
    resolutions: Annotated[list[Resolution], Field(min_length=1)] = Field(
        default_factory=lambda: list(RESOLUTIONS)
    )
    methods: Annotated[list[Method], Field(min_length=1)] = Field(default_factory=lambda: list(METHODS))
    reasons: Annotated[list[ReasonDoc], Field(min_length=1)] | None = None
    credit_triggers: dict[Tier, Trigger] = Field(default_factory=dict)
    keep_it: KeepItDoc | None = None
    shipping: ShippingDoc | None = None
    rules: list[RuleDoc] = Field(default_factory=list)
    # Percent of a unit's price withheld per inspected grade, for credits released at inspection.
    grade_deductions: dict[Grade, Percent] = Field(default_factory=dict)
