"""Receiving: what a scanned code names, and what kind of receipt a parcel's contents make.

A scan is a tracking number, an RMA number or a label's QR payload (``RF1:<RMA>:<tracking>``).
A parcel is ``matched`` when it brings every outstanding unit of its return, ``partial`` when some
lines did not come (another parcel may follow), ``short`` when a line came with fewer units than
outstanding or was declared missing, and ``wrong_item`` when something else than what was sold came.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from returnflow.domain.errors import FieldProblem, ValidationFailed

KINDS = ("matched", "blind", "partial", "short", "wrong_item")
LINE_KINDS = ("received", "short", "missing", "wrong_item")
LABEL_SCHEME = "RF1"
_RMA = re.compile(r"^RMA-?([0-9A-Z]{4})-?([0-9A-Z]{4})$")
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True, slots=True)
class ScanKey:
    """One way to look a scan up: `field` is ``number`` or ``tracking_number``; `via` how it was read."""

    field: str
    value: str
    via: str


def scan_keys(scan: str) -> tuple[ScanKey, ...]:
    """The lookups a scan stands for, most specific first."""
    text = _SPACES.sub("", scan).upper()
    if not text:
        raise ValidationFailed(
            "the scan is empty",
            code="invalid_scan",
            problems=[FieldProblem("scan", "required", "scan a tracking number, RMA number or label")],
        )
    if text.startswith(f"{LABEL_SCHEME}:"):
        parts = text.split(":")
        keys = []
        if len(parts) > 1 and (rma := _rma(parts[1])):
            keys.append(ScanKey("number", rma, "label_payload"))
        if len(parts) > 2 and parts[2]:
            keys.append(ScanKey("tracking_number", parts[2], "label_payload"))
        return tuple(keys)
    rma = _rma(text)
    if rma is not None:
        return (ScanKey("number", rma, "rma_number"),)
    return (ScanKey("tracking_number", text, "tracking_number"),)


def _rma(text: str) -> str | None:
    match = _RMA.match(text)
    return f"RMA-{match.group(1)}-{match.group(2)}" if match else None


@dataclass(frozen=True, slots=True)
class ExpectedLine:
    """A return line as receiving sees it: what is still outstanding of it."""

    line_id: str
    sku: str
    outstanding: int


@dataclass(frozen=True, slots=True)
class ArrivedItem:
    """What the receiver counted: for a line (or an unknown item by SKU), how many units."""

    line_id: str | None
    sku: str | None
    quantity: int


@dataclass(frozen=True, slots=True)
class CountedLine:
    """One line of a receipt: expected, received and its kind."""

    line_id: str | None
    sku: str | None
    expected: int
    received: int
    kind: str


def count(
    expected: Sequence[ExpectedLine], arrived: Sequence[ArrivedItem] | None
) -> tuple[str, list[CountedLine]]:
    """The receipt's kind and lines; `arrived` None means everything outstanding came."""
    if arrived is None:
        lines = [CountedLine(e.line_id, e.sku, e.outstanding, e.outstanding, "received") for e in expected]
        return "matched", [ln for ln in lines if ln.expected > 0]
    by_id: Mapping[str, ExpectedLine] = {e.line_id: e for e in expected}
    problems: list[FieldProblem] = []
    counted: list[CountedLine] = []
    seen: set[str] = set()
    for i, item in enumerate(arrived):
        line = by_id.get(item.line_id) if item.line_id else _by_sku(expected, item.sku, seen)
        if item.line_id and line is None:
            problems.append(
                FieldProblem(f"lines[{i}].return_line_id", "unknown_line", "not a line of this return")
            )
            continue
        if line is None:
            counted.append(CountedLine(None, item.sku, 0, item.quantity, "wrong_item"))
            continue
        if line.line_id in seen:
            problems.append(FieldProblem(f"lines[{i}]", "duplicate_line", "the same line is counted twice"))
            continue
        seen.add(line.line_id)
        if item.quantity > line.outstanding:
            problems.append(
                FieldProblem(
                    f"lines[{i}].quantity",
                    "quantity_exceeded",
                    f"only {line.outstanding} of {line.sku} are outstanding",
                )
            )
            continue
        if item.sku is not None and item.sku != line.sku:
            kind = "wrong_item"
        elif item.quantity == 0:
            kind = "missing"
        elif item.quantity < line.outstanding:
            kind = "short"
        else:
            kind = "received"
        counted.append(CountedLine(line.line_id, item.sku or line.sku, line.outstanding, item.quantity, kind))
    if problems:
        raise ValidationFailed(
            "the counted lines do not match the return", code="invalid_receipt", problems=problems
        )
    kinds = {c.kind for c in counted}
    untouched = any(e.outstanding > 0 and e.line_id not in seen for e in expected)
    if "wrong_item" in kinds:
        return "wrong_item", counted
    if kinds & {"short", "missing"}:
        return "short", counted
    return ("partial" if untouched else "matched"), counted


def _by_sku(expected: Sequence[ExpectedLine], sku: str | None, seen: set[str]) -> ExpectedLine | None:
    return next((e for e in expected if e.sku == sku and e.outstanding > 0 and e.line_id not in seen), None)
