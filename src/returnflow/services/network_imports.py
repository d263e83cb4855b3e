"""Bulk imports of the network: nodes and rate cards, all or nothing with row numbers."""

from __future__ import annotations

import csv
import io
import json
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from returnflow.adapters.geo import PostalCodeUnknown, locate
from returnflow.adapters.rate_cards import parse_rates_csv
from returnflow.domain.errors import FieldProblem, ValidationFailed
from returnflow.services.access import Actor
from returnflow.services.clock import Clock
from returnflow.services.inputs import NodeInput
from returnflow.services.network import rate_rows_json
from returnflow.services.recording import record

if TYPE_CHECKING:
    from returnflow.adapters.db.uow import Database

LIST_FIELDS = ("capabilities",)


def _csv_items(text: str) -> list[tuple[str, dict[str, Any]]]:
    out = []
    for n, raw in enumerate(csv.DictReader(io.StringIO(text)), start=2):
        item: dict[str, Any] = {k: v for k, v in raw.items() if k and v not in (None, "")}
        for key in LIST_FIELDS:
            if key in item:
                item[key] = [c.strip() for c in str(item[key]).replace(";", ",").split(",") if c.strip()]
        out.append((f"row {n}", item))
    return out


def parse_nodes(text: str, suffix: str) -> list[tuple[str, NodeInput]]:
    """Validate every node of a CSV or JSON file; any bad row rejects the whole file."""
    if suffix == ".csv":
        items = _csv_items(text.lstrip("\ufeff"))
    else:
        data = json.loads(text)
        data = data.get("nodes", data) if isinstance(data, dict) else data
        items = [(f"node {i + 1}", dict(x)) for i, x in enumerate(data)]
    parsed: list[tuple[str, NodeInput]] = []
    problems: list[FieldProblem] = []
    for label, item in items:
        code = str(item.pop("code", "") or "")
        if not code:
            problems.append(FieldProblem(f"{label}.code", "missing", "code is required"))
            continue
        try:
            node = NodeInput.model_validate(item, strict=False)
            locate(node.postal_code, node.country, node.latitude, node.longitude)
        except ValidationError as err:
            problems.extend(
                FieldProblem(f"{label}.{'.'.join(str(p) for p in e['loc'])}", str(e["type"]), str(e["msg"]))
                for e in err.errors()
            )
            continue
        except PostalCodeUnknown as err:
            problems.append(FieldProblem(f"{label}.postal_code", err.code, err.message))
            continue
        parsed.append((code, node))
    if problems or not parsed:
        raise ValidationFailed(
            f"{len(problems)} problem(s); nothing was imported", code="import_rejected", problems=problems
        )
    return parsed


def import_nodes(db: Database, clock: Clock, actor: Actor, nodes: list[tuple[str, NodeInput]]) -> int:
    """Upsert every node in one transaction."""
    actor.require("catalog.write")
    now = clock()
    with db.uow(actor.tenant_id) as uow:
        for code, data in nodes:
            fields = data.model_dump()
            fields["capabilities"] = sorted(set(fields["capabilities"]))
            row = uow.catalog.node(code)
            if row is None:
                uow.catalog.add_node(code=code, created_at=now, updated_at=now, **fields)
            else:
                for name, value in fields.items():
                    setattr(row, name, value)
                row.updated_at = now
            record(uow, actor, now, "node.imported", "node", code, fields)
        uow.commit()
    return len(nodes)


def import_rates(db: Database, clock: Clock, actor: Actor, text: str, currency: str) -> int:
    """CSV with a `service` column: replace each named service's rate card; unknown services reject all."""
    actor.require("catalog.write")
    cards = parse_rates_csv(text, currency)
    now = clock()
    with db.uow(actor.tenant_id) as uow:
        missing = [code for code in cards if uow.routing.service(code) is None]
        if missing:
            raise ValidationFailed(
                f"unknown service(s): {', '.join(missing)}; create them with PUT /v1/carriers/{{code}}",
                code="unknown_service",
            )
        for code, card in cards.items():
            row = uow.routing.service(code)
            assert row is not None
            row.currency, row.rate_card, row.updated_at = card.currency, rate_rows_json(card), now
            record(uow, actor, now, "rate_card.saved", "carrier_service", code, {"rates": len(row.rate_card)})
        uow.commit()
    return len(cards)
