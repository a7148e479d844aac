"""``GET /health``: whether the server answers and its ingest loop runs (no key needed)."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from trailhound import __version__
from trailhound.api.deps import Product, product
from trailhound.api.encoding import JsonAnswer

router = APIRouter(tags=["health"])


@router.get("/health", response_class=JsonAnswer, summary="Liveness")
def health(found: Product = Depends(product)) -> JsonAnswer:  # noqa: B008
    """Whether the server answers and its ingest loop runs."""
    return JsonAnswer({"status": "ok", "version": __version__, "ingest": found.ingesting})
