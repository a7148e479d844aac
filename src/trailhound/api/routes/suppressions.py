"""Suppressions: list them (viewers), add one or remove one (analysts).

A suppression stops a rule alerting on matches whose field (``principal``, ``source_ip``,
``account`` or ``resource``) has one value, until it expires; the console's rules page accepts
the suggested ones in one click. Every route calls the application object, as ``trailhound
suppressions`` does; the author of a new one is the key's name.
"""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Depends, Response
from fastapi import Path as PathParam
from pydantic import BaseModel, Field

from trailhound.api.auth import Analyst, Caller, Viewer
from trailhound.api.deps import Product, product
from trailhound.api.encoding import JsonAnswer
from trailhound.incidents.suppressions import DEFAULT_DAYS, MAX_DAYS, MAX_TEXT

router = APIRouter(prefix="/suppressions", tags=["suppressions"])
SUPPRESSION_ID = r"^sp-[0-9a-f]{1,32}$"


class NewSuppression(BaseModel):
    """A rule, the field and value of its matches to drop, how long, and why."""

    rule_id: str = Field(min_length=1, max_length=MAX_TEXT)
    field: Literal["principal", "source_ip", "account", "resource"]
    value: str = Field(min_length=1, max_length=MAX_TEXT)
    days: int | None = Field(DEFAULT_DAYS, ge=1, le=MAX_DAYS, description="null: never expires")
    reason: str = Field("", max_length=MAX_TEXT)


@router.get("", response_class=JsonAnswer, summary="List suppressions")
def list_suppressions(
    caller: Caller = Viewer,
    found: Product = Depends(product),  # noqa: B008
    active: bool = False,
) -> JsonAnswer:
    """Every suppression (``active``: only those not expired), newest first."""
    return JsonAnswer({"suppressions": found.app.list_suppressions(active_only=active)})


@router.post("", response_class=JsonAnswer, status_code=201, summary="Add a suppression")
def add_suppression(
    body: NewSuppression,
    caller: Caller = Analyst,
    found: Product = Depends(product),  # noqa: B008
) -> JsonAnswer:
    """Stop alerting on the rule's matches whose field has the value, for ``days``."""
    added = found.app.add_suppression(
        body.rule_id,
        body.field,
        body.value,
        days=body.days,
        reason=body.reason,
        author=caller.name,
    )
    return JsonAnswer(added, status_code=201)


@router.delete("/{suppression_id}", status_code=204, summary="Remove a suppression")
def remove_suppression(
    suppression_id: str = PathParam(pattern=SUPPRESSION_ID),
    caller: Caller = Analyst,
    found: Product = Depends(product),  # noqa: B008
) -> Response:
    """Remove a suppression: the rule alerts on those matches again."""
    found.app.remove_suppression(suppression_id)
    return Response(status_code=204)
