"""Incidents: list with filters, get one with its alerts and trail, triage, comment, graph.

Every route calls the application object (``Product.app``), as ``trailhound incidents`` does.
The graph comes as JSON (``nodes``, ``edges``, the root cause) or, with ``?format=graphml``,
as GraphML for Gephi, yEd or networkx.
"""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Depends, Query
from fastapi import Path as PathParam
from fastapi.responses import Response
from pydantic import BaseModel, Field

from trailhound.api.auth import Analyst, Caller, Viewer
from trailhound.api.deps import Product, product
from trailhound.api.encoding import JsonAnswer

router = APIRouter(prefix="/incidents", tags=["incidents"])
Status = Literal["new", "in_progress", "resolved", "false_positive"]
Severity = Literal["informational", "low", "medium", "high", "critical"]
INCIDENT_ID = r"^[A-Za-z0-9-]{1,64}$"
GRAPHML = "application/graphml+xml"


class IncidentUpdate(BaseModel):
    """A new status, a new assignee (``""`` unassigns), a comment, or any of them."""

    status: Status | None = None
    assignee: str | None = Field(None, max_length=200)
    comment: str | None = Field(None, min_length=1, max_length=10_000)


class IncidentComment(BaseModel):
    """A comment for the incident's trail."""

    text: str = Field(min_length=1, max_length=10_000)


@router.get("", response_class=JsonAnswer, summary="List incidents")
def list_incidents(
    caller: Caller = Viewer,
    found: Product = Depends(product),  # noqa: B008
    status: Status | None = None,
    severity: Severity | None = None,
    assignee: str | None = Query(None, max_length=200),
    by_score: bool = False,
    limit: int = Query(100, ge=1, le=1000),
) -> JsonAnswer:
    """Incidents, most recent activity first (``by_score``: highest score first)."""
    incidents = found.app.list_incidents(
        status=status, severity=severity, assignee=assignee, limit=limit, by_score=by_score
    )
    return JsonAnswer({"incidents": incidents})


@router.get("/{incident_id}", response_class=JsonAnswer, summary="One incident")
def get_incident(
    incident_id: str = PathParam(pattern=INCIDENT_ID),
    caller: Caller = Viewer,
    found: Product = Depends(product),  # noqa: B008
) -> JsonAnswer:
    """One incident with its alerts and comment trail (a unique ID prefix is enough)."""
    return JsonAnswer(found.app.get_incident(incident_id))


@router.patch("/{incident_id}", response_class=JsonAnswer, summary="Triage an incident")
def update_incident(
    body: IncidentUpdate,
    incident_id: str = PathParam(pattern=INCIDENT_ID),
    caller: Caller = Analyst,
    found: Product = Depends(product),  # noqa: B008
) -> JsonAnswer:
    """Set the status and/or assignee and/or add a comment, signed with the caller's name."""
    incident = found.app.update_incident(
        incident_id,
        status=body.status,
        assignee=body.assignee,
        comment=body.comment,
        author=caller.name,
    )
    return JsonAnswer(incident)


@router.post(
    "/{incident_id}/comments",
    response_class=JsonAnswer,
    status_code=201,
    summary="Comment on an incident",
)
def comment_incident(
    body: IncidentComment,
    incident_id: str = PathParam(pattern=INCIDENT_ID),
    caller: Caller = Analyst,
    found: Product = Depends(product),  # noqa: B008
) -> JsonAnswer:
    """Add a comment to the incident's trail."""
    incident = found.app.update_incident(incident_id, comment=body.text, author=caller.name)
    return JsonAnswer(incident, status_code=201)


@router.get(
    "/{incident_id}/graph",
    response_class=JsonAnswer,
    summary="An incident's root-cause graph",
    responses={200: {"content": {GRAPHML: {}}}},
)
def incident_graph(
    incident_id: str = PathParam(pattern=INCIDENT_ID),
    format: Literal["json", "graphml"] = "json",
    caller: Caller = Viewer,
    found: Product = Depends(product),  # noqa: B008
) -> Response:
    """Identities, keys, addresses, calls and resources of the incident, as JSON or GraphML."""
    from trailhound.incidents.graph import to_graphml, to_json

    graph = found.app.incident_graph(incident_id)
    if format == "graphml":
        return Response(to_graphml(graph), media_type=GRAPHML)
    return JsonAnswer(to_json(graph))
