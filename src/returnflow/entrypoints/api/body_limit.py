"""Refuse oversized request bodies before they are read into memory."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from returnflow.entrypoints.api.problems import PROBLEM, problem_body


class BodyLimit:
    """ASGI middleware: 413 problem+json when a body exceeds `max_bytes` (declared or streamed).

    `path_limits` gives some paths (regular expressions, e.g. photo uploads) a limit of their own.
    """

    def __init__(self, app: ASGIApp, max_bytes: int, path_limits: Sequence[tuple[str, int]] = ()) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.path_limits = [(re.compile(pattern), limit) for pattern, limit in path_limits]

    def _limit(self, path: str) -> int:
        return next((limit for pattern, limit in self.path_limits if pattern.fullmatch(path)), self.max_bytes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Check Content-Length up front and count streamed chunks."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self._limit(scope.get("path", ""))
        for name, value in scope.get("headers", []):
            if name == b"content-length" and value.isdigit() and int(value) > limit:
                await self._too_large(send, limit)
                return
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise _TooLarge
            return message

        try:
            await self.app(scope, counted, send)
        except _TooLarge:
            await self._too_large(send, limit)

    async def _too_large(self, send: Send, limit: int) -> None:
        body = json.dumps(
            problem_body(413, f"the request body is larger than {limit} bytes", "body_too_large")
        ).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", PROBLEM.encode()),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


class _TooLarge(Exception):
    pass
