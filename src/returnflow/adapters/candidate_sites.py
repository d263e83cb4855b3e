"""Read candidate return-center sites from CSV; any bad row rejects the whole file, naming the rows."""

from __future__ import annotations

import csv
import io
from decimal import InvalidOperation

from returnflow.adapters.geo import locate
from returnflow.adapters.optimization.network_design import Site
from returnflow.domain.errors import DomainError, FieldProblem, ValidationFailed
from returnflow.domain.money import to_minor

COLUMNS = "code,postal_code,country,latitude,longitude,fixed_cost|fixed_cost_minor,capacity"


def _fixed_cost(raw: dict[str, str]) -> int:
    if (raw.get("fixed_cost_minor") or "").strip():
        return int(raw["fixed_cost_minor"])
    if (raw.get("fixed_cost") or "").strip():
        return to_minor(raw["fixed_cost"].strip())
    raise ValueError("give fixed_cost (decimal, e.g. 250000.00) or fixed_cost_minor")


def _float(raw: dict[str, str], name: str) -> float | None:
    value = (raw.get(name) or "").strip()
    return float(value) if value else None


def _row(raw: dict[str, str]) -> Site:
    code = (raw.get("code") or "").strip()
    if not code:
        raise ValueError("code is empty")
    postal = (raw.get("postal_code") or "").strip()
    country = (raw.get("country") or "US").strip() or "US"
    lat, lon = _float(raw, "latitude"), _float(raw, "longitude")
    if not postal and (lat is None or lon is None):
        raise ValueError("give postal_code or latitude and longitude")
    fixed = _fixed_cost(raw)
    if fixed < 0:
        raise ValueError("fixed cost cannot be negative")
    capacity_text = (raw.get("capacity") or "").strip()
    capacity = int(capacity_text) if capacity_text else None
    if capacity is not None and capacity <= 0:
        raise ValueError("capacity must be positive (leave it empty for unlimited)")
    return Site(code, locate(postal, country, lat, lon), fixed, capacity)


def parse_candidates(text: str) -> list[Site]:
    """CSV `code,postal_code[,country][,latitude,longitude],fixed_cost|fixed_cost_minor[,capacity]`.

    fixed_cost is per year in the tenant's currency; capacity is returns per day.
    """
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    columns = reader.fieldnames or []
    missing = [c for c in ("code",) if c not in columns]
    if "fixed_cost" not in columns and "fixed_cost_minor" not in columns:
        missing.append("fixed_cost")
    if "postal_code" not in columns and not {"latitude", "longitude"} <= set(columns):
        missing.append("postal_code")
    if missing:
        raise ValidationFailed(
            f"missing CSV column(s): {', '.join(missing)} (columns: {COLUMNS})", code="missing_columns"
        )
    sites: list[Site] = []
    problems: list[FieldProblem] = []
    seen: dict[str, int] = {}
    for n, raw in enumerate(reader, start=2):  # row 1 is the header
        try:
            site = _row(raw)
        except (ValueError, TypeError, InvalidOperation, DomainError) as err:
            problems.append(FieldProblem(f"row {n}", "invalid_row", str(err)))
            continue
        if site.code in seen:
            problems.append(
                FieldProblem(f"row {n}", "duplicate_code", f"{site.code} is already on row {seen[site.code]}")
            )
            continue
        seen[site.code] = n
        sites.append(site)
    if not sites and not problems:
        problems.append(FieldProblem("file", "empty", "the file has no candidate sites"))
    if problems:
        rows = ", ".join(p.field for p in problems)
        raise ValidationFailed(
            f"candidate file rejected: {len(problems)} bad row(s) ({rows})",
            code="invalid_file",
            problems=problems,
        )
    return sites
