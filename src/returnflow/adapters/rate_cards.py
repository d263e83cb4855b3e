"""Read rate cards (CSV or the shipped default network YAML) into checked domain rate cards."""

from __future__ import annotations

import csv
import functools
import io
from dataclasses import dataclass
from decimal import InvalidOperation
from importlib import resources
from typing import Any

import yaml

from returnflow.domain.errors import DomainError, FieldProblem, ValidationFailed
from returnflow.domain.money import to_minor
from returnflow.domain.rates import RateCard, RateRow, build_rate_card
from returnflow.domain.routing import MODES, Service

CSV_REQUIRED = ("zone", "max_km", "max_grams", "transit_days")


@dataclass(frozen=True)
class Network:
    """Carriers, services and their rate cards (the shipped default, or a tenant's)."""

    currency: str
    carriers: dict[str, str]
    services: tuple[Service, ...]
    rates: dict[str, RateCard]


def _price(raw: dict[str, str], exponent: int) -> int:
    if (raw.get("price_minor") or "").strip():
        return int(raw["price_minor"])
    if (raw.get("price") or "").strip():
        return to_minor(raw["price"].strip(), exponent)
    raise ValueError("give price (decimal, e.g. 5.40) or price_minor (integer minor units)")


def parse_rates_csv(
    text: str, currency: str, service: str | None = None, exponent: int = 2
) -> dict[str, RateCard]:
    """CSV `[service,]zone,max_km,max_grams,price|price_minor,transit_days`; any bad row rejects all."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    columns = reader.fieldnames or []
    missing = [c for c in CSV_REQUIRED if c not in columns]
    if "price" not in columns and "price_minor" not in columns:
        missing.append("price")
    if service is None and "service" not in columns:
        missing.append("service")
    if missing:
        raise ValidationFailed(f"missing CSV column(s): {', '.join(missing)}", code="missing_columns")
    problems: list[FieldProblem] = []
    grouped: dict[str, tuple[list[RateRow], list[str]]] = {}
    for n, raw in enumerate(reader, start=2):  # row 1 is the header
        label = f"row {n}"
        code = service or (raw.get("service") or "").strip()
        try:
            if not code:
                raise ValueError("service is empty")
            row = RateRow(
                zone=(raw.get("zone") or "").strip(),
                max_km=float(raw["max_km"]),
                max_grams=int(raw["max_grams"]),
                price=_price(raw, exponent),
                transit_days=int(raw["transit_days"]),
            )
            if not row.zone:
                raise ValueError("zone is empty")
        except (ValueError, TypeError, InvalidOperation, DomainError) as err:
            problems.append(FieldProblem(label, "invalid_row", str(err)))
            continue
        rows, labels = grouped.setdefault(code, ([], []))
        rows.append(row)
        labels.append(label)
    if not grouped and not problems:
        problems.append(FieldProblem("file", "empty_rate_card", "the file has no rate rows"))
    cards: dict[str, RateCard] = {}
    for code, (rows, labels) in grouped.items():
        try:
            cards[code] = build_rate_card(code, currency, rows, labels)
        except ValidationFailed as err:
            problems.extend(err.problems)
    if problems:
        raise ValidationFailed(
            f"{len(problems)} problem(s) in the rate card; nothing was saved",
            code="invalid_rate_card",
            problems=problems,
        )
    return cards


def _service(doc: dict[str, Any], exponent: int) -> Service:
    mode = str(doc.get("mode", "ground"))
    if mode not in MODES:
        raise ValidationFailed(f"service {doc.get('code')}: mode must be one of {MODES}", code="invalid_mode")
    return Service(
        code=str(doc["code"]),
        carrier=str(doc["carrier"]),
        name=str(doc.get("name", doc["code"])),
        mode=mode,
        pickup=bool(doc.get("pickup", False)),
        pickup_fee=to_minor(str(doc.get("pickup_fee", "0")), exponent),
        max_weight_grams=doc.get("max_weight_grams"),
        accepts_hazmat=bool(doc.get("accepts_hazmat", True)),
    )


def network_from_document(doc: dict[str, Any], exponent: int = 2) -> Network:
    """A network document (see adapters/rates/default.yaml) as services and checked rate cards."""
    currency = str(doc["currency"])
    services: list[Service] = []
    rates: dict[str, RateCard] = {}
    for s in doc.get("services", []):
        service = _service(s, exponent)
        breaks = [int(b) for b in s["weight_breaks"]]
        rows = [
            RateRow(
                str(z["zone"]),
                float(z["max_km"]),
                grams,
                to_minor(str(price), exponent),
                int(z["transit_days"]),
            )
            for z in s["zones"]
            for grams, price in zip(breaks, z["prices"], strict=True)
        ]
        services.append(service)
        rates[service.code] = build_rate_card(service.code, currency, rows)
    carriers = {str(c["code"]): str(c.get("name", c["code"])) for c in doc.get("carriers", [])}
    return Network(currency=currency, carriers=carriers, services=tuple(services), rates=rates)


@functools.cache
def default_network() -> Network:
    """The generic network a tenant routes with until it loads its own carriers (read once)."""
    text = resources.files("returnflow.adapters.rates").joinpath("default.yaml").read_text("utf-8")
    return network_from_document(yaml.safe_load(text))
