"""Alerts: list with filters, get one with its comment trail, change its status, comment."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Depends, Query
from fastapi import Path as PathParam
from pydantic import BaseModel, Field

from trailhound.api.auth import Analyst, Caller, Viewer
from trailhound.api.deps import Product, product
from trailhound.api.encoding import JsonAnswer
from trailhound.app import Trailhound

router = APIRouter(prefix="/alerts", tags=["alerts"])
Status = Literal["new", "in_progress", "resolved", "false_positive"]
Severity = Literal["informational", "low", "medium", "high", "critical"]
_ALERT_ID = r"^[A-Za-z0-9-]{1,64}$"
_public = Trailhound.public_alert  # what every front door shows of an alert


class AlertUpdate(BaseModel):
    """A new status, a comment, or both."""

    status: Status | None = None
    comment: str | None = Field(None, min_length=1, max_length=10_000)


class AlertComment(BaseModel):
    """A comment for the alert's trail."""

    text: str = Field(min_length=1, max_length=10_000)


@router.get("", response_class=JsonAnswer, summary="List alerts")
def list_alerts(
    caller: Caller = Viewer,
    found: Product = Depends(product),  # noqa: B008
    status: Status | None = None,
    severity: Severity | None = None,
    rule_id: str | None = Query(None, max_length=200),
    limit: int = Query(100, ge=1, le=1000),
) -> JsonAnswer:
    """Alerts, newest activity first."""
    alerts = found.alerts().list_alerts(
        status=status, severity=severity, rule_id=rule_id, limit=limit
    )
    return JsonAnswer({"alerts": [_public(a) for a in alerts]})


@router.get("/{alert_id}", response_class=JsonAnswer, summary="One alert")
def get_alert(
    alert_id: str = PathParam(pattern=_ALERT_ID),
    caller: Caller = Viewer,
    found: Product = Depends(product),  # noqa: B008
) -> JsonAnswer:
    """One alert with its comment trail (a unique ID prefix is enough)."""
    return JsonAnswer(_public(found.alerts().get(alert_id)))


@router.patch("/{alert_id}", response_class=JsonAnswer, summary="Change an alert's status")
def update_alert(
    body: AlertUpdate,
    alert_id: str = PathParam(pattern=_ALERT_ID),
    caller: Caller = Analyst,
    found: Product = Depends(product),  # noqa: B008
) -> JsonAnswer:
    """Set the status and/or add a comment, signed with the key's name."""
    alert = found.alerts().update(
        alert_id, status=body.status, comment=body.comment, author=caller.name
    )
    return JsonAnswer(_public(alert))


@router.post(
    "/{alert_id}/comments",
    response_class=JsonAnswer,
    status_code=201,
    summary="Comment on an alert",
)
def comment_alert(
    body: AlertComment,
    alert_id: str = PathParam(pattern=_ALERT_ID),
    caller: Caller = Analyst,
    found: Product = Depends(product),  # noqa: B008
) -> JsonAnswer:
    """Add a comment to the alert's trail."""
    alert = found.alerts().update(alert_id, comment=body.text, author=caller.name)
    return JsonAnswer(_public(alert), status_code=201)
