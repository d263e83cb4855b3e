"""Carrier tracking webhooks in: verify, de-duplicate, apply."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from returnflow.adapters.carriers import PROVIDERS, PayloadInvalid, SignatureInvalid
from returnflow.entrypoints.api.deps import ContainerDep
from returnflow.entrypoints.api.problems import PROBLEM, domain_problem_body, problem_body
from returnflow.entrypoints.api.schemas import responses
from returnflow.services import tracking

router = APIRouter(tags=["webhooks"])
PROVIDER_LIST = ", ".join(sorted(PROVIDERS))


@router.post(
    "/webhooks/{tenant_slug}/tracking/{provider}",
    responses={
        **responses(404, 413, 422),
        401: {"description": "missing, malformed, stale or wrong signature; nothing was applied"},
    },
    summary="Carrier tracking webhook",
)
async def tracking_webhook(
    request: Request,
    c: ContainerDep,
    tenant_slug: Annotated[str, Path(min_length=1, max_length=63)],
    provider: Annotated[str, Path(description=f"one of: {PROVIDER_LIST}")],
) -> JSONResponse:
    """A provider's own payload, authenticated by its signature header over the raw body (no API key).

    `generic` takes `{event_id, tracking_number, status, occurred_at, location?}` (or an array of
    them) signed `X-ReturnFlow-Signature: sha256=<hex HMAC-SHA256 of the body>`. Answers 200 with
    counts of events received, new, applied to a return and kept unmatched.
    """
    body = await request.body()
    headers = dict(request.headers)
    try:
        result = await run_in_threadpool(
            tracking.ingest_webhook, c.db, c.clock, tenant_slug, provider, headers, body
        )
    except SignatureInvalid as err:
        # Only the code: a forger learns nothing beyond "not accepted".
        return JSONResponse(problem_body(401, err.message, err.code), status_code=401, media_type=PROBLEM)
    except PayloadInvalid as err:
        doc = domain_problem_body(err)
        doc.update(status=422, title="Unprocessable content")
        return JSONResponse(doc, status_code=422, media_type=PROBLEM)
    return JSONResponse(result.as_dict())
