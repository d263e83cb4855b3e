"""Validated inputs of the returns-center floor (API bodies and workstation forms share them)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AwareDatetime, Field, StringConstraints, model_validator

from returnflow.services.inputs import Code, MinorUnits, Strict

Grade = Literal["A", "B", "C", "D", "F"]
Path = Literal[
    "restock", "open_box", "refurbish", "repair", "return_to_vendor",
    "liquidate", "donate", "recycle", "dispose", "quarantine",
]  # fmt: skip
Flag = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[a-z][a-z0-9_]*$", max_length=40)]
Serial = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
Note = Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)]


class ReceivedLineInput(Strict):
    """What arrived of one return line (or, with only `sku`, an item the return did not name)."""

    return_line_id: str | None = Field(default=None, min_length=1, max_length=40)
    sku: Code | None = None
    quantity: Annotated[int, Field(ge=0, le=100_000)]

    @model_validator(mode="after")
    def _line_or_sku(self) -> ReceivedLineInput:
        if self.return_line_id is None and self.sku is None:
            raise ValueError("give return_line_id or sku")
        return self


class ReceiptInput(Strict):
    """Body of POST /v1/receipts: the scan and the node; `lines` only when not everything came."""

    scan: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
    node_code: Code
    lines: Annotated[list[ReceivedLineInput], Field(max_length=500)] | None = None
    note: Note | None = None


class MatchInput(Strict):
    """Body of POST /v1/receipts/{id}/match: the return (by scan, RMA number or id) and what came."""

    scan: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)] | None = None
    return_id: str | None = Field(default=None, min_length=1, max_length=40)
    lines: Annotated[list[ReceivedLineInput], Field(max_length=500)] | None = None
    note: Note | None = None

    @model_validator(mode="after")
    def _scan_or_id(self) -> MatchInput:
        if (self.scan is None) == (self.return_id is None):
            raise ValueError("give exactly one of scan or return_id")
        return self


class InspectionInput(Strict):
    """Body of POST /v1/returns/{id}/lines/{line_id}/inspection."""

    grade: Grade
    # Answers to the category's checklist, by question code: true/false or a measurement.
    checklist: dict[Annotated[str, StringConstraints(max_length=64)], bool | float] | None = None
    serial: Serial | None = None
    serials: Annotated[list[Serial], Field(max_length=1000)] = Field(default_factory=list)
    weight_grams: Annotated[int, Field(ge=0, le=10_000_000)] | None = None
    transit_damage: bool = False
    qc_flags: Annotated[list[Flag], Field(max_length=20)] = Field(default_factory=list)
    notes: Note | None = None
    started_at: AwareDatetime | None = None

    @property
    def scanned(self) -> list[str]:
        """Every serial scanned (`serial` and `serials`)."""
        return ([self.serial] if self.serial else []) + list(self.serials)


class OverrideInput(Strict):
    """Body of POST …/disposition/override: another allowed path, with the reason."""

    path: Path
    reason: Reason


class Part(Strict):
    """A part used by a work order."""

    sku: Code
    quantity: Annotated[int, Field(ge=1, le=10_000)] = 1
    unit_cost: MinorUnits = 0


class WorkOrderInput(Strict):
    """Body of POST …/work-orders: open refurbish or repair work on an inspected line."""

    kind: Literal["refurbish", "repair"] | None = None
    node_code: Code | None = None
    notes: Note | None = None


class WorkOrderCompletion(Strict):
    """Body of POST /v1/work-orders/{id}/complete."""

    outcome: Literal["refurbished", "repaired", "failed"]
    new_grade: Grade | None = None
    parts: Annotated[list[Part], Field(max_length=200)] = Field(default_factory=list)
    labor_minutes: Annotated[int, Field(ge=0, le=100_000)] = 0
    labor_rate: MinorUnits = Field(default=0, description="cost of one labor hour, minor units")
    achieved_recovery: Annotated[int, Field(ge=-(10**12), le=10**12)] | None = None
    notes: Note | None = None

    @model_validator(mode="after")
    def _grade_when_done(self) -> WorkOrderCompletion:
        if self.outcome != "failed" and self.new_grade is None:
            raise ValueError("a completed work order needs the unit's new_grade")
        if self.outcome != "failed" and self.new_grade == "F":
            raise ValueError("a unit that ends at grade F failed its work order (outcome failed)")
        return self


class ClaimUpdate(Strict):
    """Body of POST /v1/claims/{id}/status."""

    status: Literal["submitted", "paid", "denied"]
    note: Note | None = None
    carrier_reference: Annotated[str, StringConstraints(strip_whitespace=True, max_length=100)] | None = None
    paid_amount: MinorUnits | None = None
