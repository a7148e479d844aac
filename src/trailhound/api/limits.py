"""Request size limits, enforced while the body streams in (ASGI middleware).

A request whose ``Content-Length`` is over its path's limit is refused before any of its body is
read; one sent in chunks is counted as it arrives and cut off at the limit. Either way the
client gets a 413 problem document and the handler never sees more than the limit.
"""

from __future__ import annotations

from collections.abc import Mapping

import orjson
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from trailhound.api.problems import PROBLEM_JSON, TYPE_BASE

DEFAULT_BODY_LIMIT = 1024 * 1024  # JSON requests, rule uploads
DEFAULT_INGEST_LIMIT = 50 * 1024 * 1024  # one pushed CloudTrail log file or JSON-lines batch


class BodyTooLarge(HTTPException):
    """Raised into the handler reading a body that grew past its limit.

    An HTTP exception, so that whatever reads the body (FastAPI's JSON parsing wraps other
    errors into a 400) lets it through to be answered as the 413 it is.
    """

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"request body over the limit of {limit:,} bytes")
        self.limit = limit


def too_large_body(limit: int, path: str) -> bytes:
    """The 413 problem document."""
    return orjson.dumps(
        {
            "type": TYPE_BASE + "payload-too-large",
            "title": "Content Too Large",
            "status": 413,
            "detail": f"request body over the limit of {limit:,} bytes",
            "instance": path,
            "limit": limit,
        }
    )


class BodyLimit:
    """Refuses bodies over a limit per path prefix (the longest matching prefix wins)."""

    def __init__(
        self, app: ASGIApp, *, default: int, by_prefix: Mapping[str, int] | None = None
    ) -> None:
        self.app = app
        self.default = default
        self.by_prefix = sorted((by_prefix or {}).items(), key=lambda kv: -len(kv[0]))

    def limit_for(self, path: str) -> int:
        """The body limit of a path."""
        return next((n for prefix, n in self.by_prefix if path.startswith(prefix)), self.default)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = str(scope.get("path", ""))
        limit = self.limit_for(path)
        headers = dict(scope.get("headers") or [])
        length = headers.get(b"content-length")
        if length is not None:
            try:
                declared = int(length)
            except ValueError:
                declared = -1
            if declared < 0 or declared > limit:
                await self._refuse(send, limit, path, 413 if declared > limit else 400)
                return
        received = 0
        started = False

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit)
            return message

        async def tracked(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counted, tracked)
        except BodyTooLarge:
            if not started:
                await self._refuse(send, limit, path, 413)

    @staticmethod
    async def _refuse(send: Send, limit: int, path: str, status: int) -> None:
        if status == 413:
            body = too_large_body(limit, path)
        else:
            body = orjson.dumps(
                {
                    "type": TYPE_BASE + "bad-request",
                    "title": "Bad Request",
                    "status": 400,
                    "detail": "invalid Content-Length",
                    "instance": path,
                }
            )
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [
                    (b"content-type", PROBLEM_JSON.encode()),
                    (b"content-length", str(len(body)).encode()),
                    (b"connection", b"close"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})
