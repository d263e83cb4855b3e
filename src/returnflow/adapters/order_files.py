"""Read order files (CSV: one row per line; JSON: a list of order objects) into validated inputs."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from returnflow.domain.errors import FieldProblem, ValidationFailed
from returnflow.services.inputs import OrderInput

CSV_COLUMNS = (
    "order_number",
    "channel",
    "currency",
    "placed_at",
    "delivered_at",
    "customer_email",
    "customer_name",
    "postal_code",
    "country",
    "sku",
    "quantity",
    "unit_price",
    "list_price",
    "final_sale",
    "serials",
)
REQUIRED = (
    "order_number",
    "channel",
    "currency",
    "placed_at",
    "customer_email",
    "postal_code",
    "country",
    "sku",
    "quantity",
    "unit_price",
)


@dataclass
class ParsedOrders:
    """Orders ready to import, each with the label that names its source rows."""

    orders: list[OrderInput] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)


def read_orders(path: Path) -> ParsedOrders:
    """Parse and validate a whole file; every bad row is reported, nothing is half-read."""
    text = path.read_text(encoding="utf-8-sig")
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return parse_csv(text)
    if suffix in (".json", ".jsonl", ".ndjson"):
        return parse_json(text, lines=suffix != ".json")
    raise ValidationFailed(
        f"unsupported file type '{suffix}': use .csv, .json or .jsonl", code="unsupported_file"
    )


def _problems(err: ValidationError, prefix: str) -> list[FieldProblem]:
    out = []
    for e in err.errors():
        loc = ".".join(str(p) for p in e["loc"])
        out.append(FieldProblem(f"{prefix}{loc}", str(e["type"]), str(e["msg"])))
    return out


def parse_json(text: str, *, lines: bool) -> ParsedOrders:
    """A JSON array of orders, or JSON Lines (one order per line)."""
    items: list[tuple[str, Any]] = []
    if lines:
        for n, raw in enumerate(text.splitlines(), start=1):
            if raw.strip():
                try:
                    items.append((f"line {n}: ", json.loads(raw)))
                except json.JSONDecodeError as err:
                    raise ValidationFailed(
                        f"line {n} is not valid JSON: {err.msg}", code="malformed_json"
                    ) from err
    else:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as err:
            raise ValidationFailed(
                f"not valid JSON (line {err.lineno}): {err.msg}", code="malformed_json"
            ) from err
        if isinstance(data, dict) and "orders" in data:
            data = data["orders"]
        if not isinstance(data, list):
            raise ValidationFailed("expected a JSON array of orders", code="malformed_json")
        items = [(f"order {i + 1}: ", item) for i, item in enumerate(data)]
    parsed, problems = ParsedOrders(), []
    for label, item in items:
        try:
            parsed.orders.append(OrderInput.model_validate(item))
            parsed.labels.append(label)
        except ValidationError as err:
            problems.extend(_problems(err, label))
    if problems:
        raise ValidationFailed(
            f"{len(problems)} problem(s); nothing was imported", code="import_rejected", problems=problems
        )
    return parsed


def _csv_rows(text: str) -> Iterator[tuple[int, dict[str, str]]]:
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in REQUIRED if c not in (reader.fieldnames or [])]
    if missing:
        raise ValidationFailed(f"missing CSV column(s): {', '.join(missing)}", code="missing_columns")
    for n, row in enumerate(reader, start=2):  # row 1 is the header
        yield n, {k: (v or "").strip() for k, v in row.items() if k is not None}


def parse_csv(text: str) -> ParsedOrders:
    """One row per order line; rows with the same order_number form one order (contiguous or not)."""
    grouped: dict[str, list[tuple[int, dict[str, str]]]] = {}
    for n, row in _csv_rows(text):
        grouped.setdefault(row.get("order_number", ""), []).append((n, row))
    parsed, problems = ParsedOrders(), []
    for number, rows in grouped.items():
        first_n, first = rows[0]
        row_numbers = ", ".join(str(n) for n, _ in rows)
        label = f"row {row_numbers}: " if len(rows) > 1 else f"row {first_n}: "
        body = {
            "number": number,
            "channel": first.get("channel", ""),
            "currency": first.get("currency", ""),
            "placed_at": first.get("placed_at", ""),
            "delivered_at": first.get("delivered_at") or None,
            "customer": {
                "email": first.get("customer_email", ""),
                "name": first.get("customer_name") or None,
                "postal_code": first.get("postal_code", ""),
                "country": first.get("country", ""),
            },
            "lines": [
                {
                    "sku": r.get("sku", ""),
                    "quantity": r.get("quantity", ""),
                    "unit_price": r.get("unit_price", ""),
                    "list_price": r.get("list_price") or None,
                    "final_sale": r.get("final_sale", "").lower() in ("1", "true", "yes", "y"),
                    "serials": [s for s in r.get("serials", "").split("|") if s],
                }
                for _, r in rows
            ],
        }
        try:
            parsed.orders.append(OrderInput.model_validate(body))
            parsed.labels.append(label)
        except ValidationError as err:
            for e in err.errors():
                loc = [str(p) for p in e["loc"]]
                # Point line-level problems at the CSV row they came from.
                if len(loc) >= 2 and loc[0] == "lines" and loc[1].isdigit():
                    where = f"row {rows[int(loc[1])][0]}: {'.'.join(loc[2:])}"
                else:
                    where = f"{label}{'.'.join(loc)}"
                problems.append(FieldProblem(where, str(e["type"]), str(e["msg"])))
    if problems:
        raise ValidationFailed(
            f"{len(problems)} problem(s); nothing was imported", code="import_rejected", problems=problems
        )
    return parsed
