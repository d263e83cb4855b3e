"""Glue between POST handlers and the idempotency service."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from typing import Any

from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from pydantic_core import to_jsonable_python

from returnflow.bootstrap import Container
from returnflow.domain.errors import DomainError
from returnflow.entrypoints.api.problems import PROBLEM, domain_problem_body
from returnflow.services.access import Actor
from returnflow.services.idempotency import StoredResponse, request_fingerprint, run_once


def idempotent_post(
    c: Container,
    actor: Actor,
    key: str | None,
    path: str,
    body: BaseModel | None,
    handler: Callable[[], Any],
    status_code: int = 201,
) -> JSONResponse:
    """Run a POST at most once per Idempotency-Key and answer (or replay) its response."""
    if key is None:
        return FastJSONResponse(handler(), status_code=status_code)

    def run() -> StoredResponse:
        return StoredResponse(status_code, json.loads(encode(handler())))

    def on_error(err: DomainError) -> StoredResponse:
        body = domain_problem_body(err)
        return StoredResponse(body["status"], body)

    fingerprint = request_fingerprint(
        "POST", path, body.model_dump(mode="json") if body is not None else None
    )
    result = run_once(c.db, c.clock, actor, key, fingerprint, run, on_error)
    headers = {"Idempotent-Replayed": "true"} if result.replayed else {}
    media = PROBLEM if result.status_code >= 400 else "application/json"
    return JSONResponse(result.body, status_code=result.status_code, headers=headers, media_type=media)


def encode(value: Any) -> bytes:
    """JSON as FastAPI answers it (JSONResponse's form), encoded in one pass of the standard
    library's C encoder."""
    return json.dumps(
        value, ensure_ascii=False, allow_nan=False, separators=(",", ":"), default=_jsonable
    ).encode("utf-8")


def _jsonable(value: Any) -> Any:
    """A value json cannot encode, in the form the response models give it: a datetime as pydantic
    writes it (`…Z` for UTC), so a POST and a GET of the same object show the same timestamps."""
    if isinstance(value, datetime):
        return to_jsonable_python(value)
    return jsonable_encoder(value)


class FastJSONResponse(JSONResponse):
    """A JSONResponse whose content is encoded by `encode` (FastAPI's values, one C pass)."""

    def render(self, content: Any) -> bytes:
        """The body."""
        return encode(content)
