"""Server-rendered pages: the customer portal, the ops console and their static files."""

from __future__ import annotations

from importlib import resources

from fastapi import APIRouter
from fastapi.responses import Response

from returnflow.entrypoints.web import ops, ops_floor, ops_reports, portal
from returnflow.entrypoints.web.render import page

router = APIRouter(include_in_schema=False)
router.include_router(portal.router)
router.include_router(ops.router)
router.include_router(ops_floor.router)
router.include_router(ops_reports.router)

STATIC_TYPES = {".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8"}


def _static_files() -> dict[str, bytes]:
    """Every shipped CSS/JS file, read once (a fixed set: no path from the URL touches the disk)."""
    folder = resources.files("returnflow.entrypoints.web") / "static"
    return {
        entry.name: entry.read_bytes()
        for entry in folder.iterdir()
        if entry.is_file() and any(entry.name.endswith(ext) for ext in STATIC_TYPES)
    }


STATIC = _static_files()


@router.get("/static/web/{name}")
def static(name: str) -> Response:
    """A CSS or JS file of the pages (cached for a day)."""
    body = STATIC.get(name)
    if body is None:
        return page("not_found.html", {"message": "This file does not exist."}, 404)
    media = STATIC_TYPES["." + name.rsplit(".", 1)[-1]]
    headers = {"Cache-Control": "public, max-age=86400", "X-Content-Type-Options": "nosniff"}
    return Response(body, media_type=media, headers=headers)
