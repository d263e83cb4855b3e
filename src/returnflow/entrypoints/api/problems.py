"""RFC 9457 problem+json for every error; never a stack trace."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from returnflow.domain.errors import Conflict, DomainError, NotFound, PolicyInvalid, ValidationFailed
from returnflow.services.access import Forbidden
from returnflow.services.policies import to_jsonable
from returnflow.services.returns import PolicyRejected

log = logging.getLogger("returnflow.api")
PROBLEM = "application/problem+json"
TITLES = {
    400: "Bad request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    413: "Request body too large",
    415: "Unsupported media type",
    422: "Unprocessable content",
    500: "Internal server error",
}


def problem_body(
    status: int, detail: str, code: str, errors: list[dict[str, Any]] | None = None, **extra: Any
) -> dict[str, Any]:
    """The problem document."""
    body: dict[str, Any] = {
        "type": f"https://returnflow.dev/problems/{code.replace('_', '-')}",
        "title": TITLES.get(status, "Error"),
        "status": status,
        "detail": detail,
        "code": code,
        "errors": errors or [],
    }
    body.update(extra)
    return body


def problem(
    status: int, detail: str, code: str, errors: list[dict[str, Any]] | None = None, **extra: Any
) -> JSONResponse:
    """A problem+json response."""
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return JSONResponse(
        problem_body(status, detail, code, errors, **extra),
        status_code=status,
        media_type=PROBLEM,
        headers=headers,
    )


def status_of(err: DomainError) -> int:
    """The HTTP status for a domain error (the domain itself knows no HTTP)."""
    if isinstance(err, Forbidden):
        return 403
    if isinstance(err, NotFound):
        return 404
    if isinstance(err, Conflict):
        return 409
    if isinstance(err, ValidationFailed | PolicyInvalid | PolicyRejected):
        return 422
    return 400


def domain_problem_body(err: DomainError) -> dict[str, Any]:
    """The problem document for a domain error (also stored for idempotent replays)."""
    errors = [{"field": p.field, "code": p.code, "message": p.message} for p in err.problems]
    extra: dict[str, Any] = {}
    if isinstance(err, PolicyRejected) and err.decision is not None:
        extra["decision"] = to_jsonable(err.decision)
    return problem_body(status_of(err), err.message, err.code, errors, **extra)


def _loc(loc: tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header")]
    out = ""
    for p in parts:
        out += f"[{p}]" if p.isdigit() else (f".{p}" if out else p)
    return out or ".".join(str(p) for p in loc)


def install(app: FastAPI) -> None:
    """Register the handlers that turn every failure into problem+json."""

    @app.exception_handler(DomainError)
    def _domain(_: Request, err: DomainError) -> JSONResponse:
        body = domain_problem_body(err)
        return JSONResponse(body, status_code=body["status"], media_type=PROBLEM)

    @app.exception_handler(RequestValidationError)
    def _validation(_: Request, err: RequestValidationError) -> JSONResponse:
        errors = []
        malformed = False
        for e in err.errors():
            if e.get("type") == "json_invalid":
                malformed = True
            errors.append(
                {
                    "field": _loc(tuple(e.get("loc", ()))),
                    "code": str(e.get("type", "invalid")),
                    "message": str(e.get("msg", "")),
                }
            )
        if malformed:
            return problem(400, "the request body is not valid JSON", "malformed_json", errors)
        return problem(422, "the request does not match the schema", "validation_failed", errors)

    @app.exception_handler(StarletteHTTPException)
    def _http(_: Request, err: StarletteHTTPException) -> JSONResponse:
        code = {404: "not_found", 405: "method_not_allowed", 401: "unauthorized", 403: "forbidden"}.get(
            err.status_code, "http_error"
        )
        return problem(err.status_code, str(err.detail), code)

    @app.exception_handler(Exception)
    def _unexpected(_: Request, err: Exception) -> JSONResponse:
        log.exception("unhandled error", exc_info=err)
        return problem(500, "an unexpected error occurred; it has been logged", "internal_error")
