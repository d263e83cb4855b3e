"""The ops console's inventory page: balances per node / SKU / condition bucket, a chart, the CSV."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response, StreamingResponse

from returnflow.domain.errors import DomainError, NotFound
from returnflow.domain.inventory import BUCKETS
from returnflow.entrypoints.web import session
from returnflow.entrypoints.web.floor_reads import bound_node
from returnflow.entrypoints.web.inventory_chart import BUCKET_WORDS, bucket_chart
from returnflow.entrypoints.web.render import HEADERS, page
from returnflow.services import catalog, inventory
from returnflow.services.access import Forbidden

router = APIRouter(include_in_schema=False)
# Node/SKU rows the page lists; the CSV has them all.
PAGE_ROWS = 500


def _filters(request: Request) -> tuple[str, str]:
    params = request.query_params
    return (params.get("node") or "").strip()[:64], (params.get("sku") or "").strip()[:64]


@router.get("/inventory", response_class=HTMLResponse)
def inventory_page(request: Request) -> Response:
    """Balances filtered by node and SKU, with units per bucket drawn as bars and a CSV link."""
    staff = session.staff(request)
    if staff is None:
        return RedirectResponse("/ops", status_code=303)
    c = session.container(request)
    node, sku = _filters(request)
    error, status = None, 200
    rows: list[dict[str, Any]] = []
    more, totals = False, dict.fromkeys(BUCKETS, 0)
    try:
        # The first page only; the chart counts the whole filter, summed in the database.
        rows, last = inventory.balances(c.db, staff.actor, node or None, sku or None, limit=PAGE_ROWS)
        more = last is not None
        totals = inventory.bucket_totals(c.db, staff.actor, node or None, sku or None)
    except DomainError as err:
        rows, error = [], str(err)
        status = 403 if isinstance(err, Forbidden) else 404 if isinstance(err, NotFound) else 422
    try:
        nodes = catalog.list_nodes(c.db, staff.actor)
    except DomainError:
        nodes = []
    fixed = bound_node(staff.actor)
    nodes = [n for n in nodes if fixed is None or n["code"] == fixed]
    query = urlencode({k: v for k, v in (("node", node), ("sku", sku)) if v})
    context = {
        "actor": staff.actor,
        "csrf": session.form_token(request, staff.token),
        "rows": rows,
        "more": more,
        "buckets": BUCKETS,
        "bucket_words": BUCKET_WORDS,
        "nodes": nodes,
        "node_names": {n["code"]: n["name"] for n in nodes},
        "node": node,
        "sku": sku,
        "error": error,
        "chart": bucket_chart(totals),
        "export": "/ops/inventory/export" + (f"?{query}" if query else ""),
    }
    return page("ops_inventory.html", context, status)


@router.get("/inventory/export")
def inventory_export(request: Request) -> Response:
    """The same balances as a CSV file (node_code, sku, one column per bucket, total), streamed."""
    staff = session.staff(request)
    if staff is None:
        return RedirectResponse("/ops", status_code=303)
    node, sku = _filters(request)
    try:
        chunks = inventory.export_csv(session.container(request).db, staff.actor, node or None, sku or None)
    except DomainError as err:
        return page("not_found.html", {"message": str(err)}, 404)
    headers = {
        "Content-Disposition": 'attachment; filename="inventory.csv"',
        "X-Content-Type-Options": "nosniff",
        "Cache-Control": HEADERS["Cache-Control"],
    }
    return StreamingResponse(chunks, media_type="text/csv; charset=utf-8", headers=headers)
