"""Glue between POST handlers and the idempotency service."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse
from pydantic import BaseModel

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

    def run() -> StoredResponse:
        return StoredResponse(status_code, jsonable_encoder(handler()))

    def on_error(err: DomainError) -> StoredResponse:
        body = domain_problem_body(err)
        return StoredResponse(body["status"], body)

    fingerprint = request_fingerprint(
        "POST", path, body.model_dump(mode="json") if body is not None else None
    )
    if key is None:
        return JSONResponse(run().body, status_code=status_code)
    result = run_once(c.db, c.clock, actor, key, fingerprint, run, on_error)
    headers = {"Idempotent-Replayed": "true"} if result.replayed else {}
    media = PROBLEM if result.status_code >= 400 else "application/json"
    return JSONResponse(result.body, status_code=result.status_code, headers=headers, media_type=media)
