"""``POST /ingest/cloudtrail``: forwarders push log files (gzip or plain) or JSON lines.

The body is read as it streams, up to the server's ingest limit (50 MB by default: a larger
body is cut off with a 413 before it is all read), then handed to the push source of the one
ingest loop (``sources.push``), the server's single writer: it commits every body waiting at
once, stores and runs detection as ``trailhound ingest`` does. The answer comes once the
events are durable: how many records were read, stored anew,
already stored (pushing the same events again is harmless: they count as duplicates) and
quarantined. Only keys of the ``ingest`` role (and admins) may push.
"""

from __future__ import annotations

import asyncio
import uuid

from fastapi import APIRouter, Depends, Request

from trailhound.api.auth import Caller, Ingest
from trailhound.api.deps import Product, product
from trailhound.api.encoding import JsonAnswer
from trailhound.api.limits import BodyTooLarge
from trailhound.api.problems import Problem
from trailhound.model import BatchOutcome, Blob
from trailhound.sources.push import PushBusy, PushClosed

router = APIRouter(prefix="/ingest", tags=["ingest"])
_CHECK_SECONDS = 2.0  # how often a waiting push looks whether the ingest loop still runs


async def read_limited(request: Request, limit: int) -> bytes:
    """The request's body, refused with a 413 as soon as it grows past ``limit``."""
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge(limit)
        chunks.append(chunk)
    return b"".join(chunks)


async def _stored(
    found: Product, waiting: asyncio.Future[BatchOutcome], limit: float
) -> BatchOutcome:
    """The push's outcome, waited for as long as the ingest loop runs (up to ``limit``): a
    queue of pushes takes the time it takes, a loop that died fails them at once."""
    deadline = asyncio.get_running_loop().time() + limit
    while True:
        left = deadline - asyncio.get_running_loop().time()
        if left <= 0 or not found.ingesting:
            raise TimeoutError
        done, _ = await asyncio.wait({waiting}, timeout=min(_CHECK_SECONDS, left))
        if done:
            return waiting.result()


@router.post(
    "/cloudtrail",
    response_class=JsonAnswer,
    summary="Push CloudTrail events",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": {"type": "string", "format": "binary"}},
                "application/gzip": {"schema": {"type": "string", "format": "binary"}},
                "application/x-ndjson": {"schema": {"type": "string", "format": "binary"}},
            },
        }
    },
)
async def push_cloudtrail(
    request: Request,
    caller: Caller = Ingest,
    found: Product = Depends(product),  # noqa: B008
) -> JsonAnswer:
    """Store one CloudTrail log file ({"Records": [...]}, gzip or plain) or JSON lines."""
    if not found.ingesting:
        raise Problem(503, "ingest is not running on this server", kind="ingest-unavailable")
    data = await read_limited(request, found.settings.ingest_limit)
    if not data:
        raise Problem(
            400,
            "the body is empty: send a CloudTrail log file or JSON lines",
            kind="invalid-request",
        )
    name = f"push:{caller.name}/{uuid.uuid4().hex}"
    settings = found.settings
    try:
        future = await asyncio.to_thread(found.push.submit, Blob(name, data))
        outcome = await _stored(found, asyncio.wrap_future(future), settings.push_timeout)
    except PushBusy as error:  # the queue's bound: the one back-pressure a pusher sees
        problem = Problem(503, str(error), kind="ingest-busy")
        problem.headers["Retry-After"] = "5"
        raise problem from error
    except (PushClosed, TimeoutError) as error:
        raise Problem(
            503,
            "ingest stopped before the body was stored: send it again",
            kind="ingest-unavailable",
        ) from error
    if not outcome.stored(name):
        problem = Problem(
            503, "the body could not be stored now: send it again", kind="ingest-failed"
        )
        problem.headers["Retry-After"] = "10"
        raise problem
    summary = outcome.summary
    return JsonAnswer(
        {
            "records": summary.records,
            "accepted": summary.events_written + summary.duplicates,
            "stored": summary.events_written,
            "duplicates": summary.duplicates,
            "quarantined": summary.quarantined,
        }
    )
