"""Alerts and incidents in the console: lists with filters, an alert with its events and how to
investigate it, an incident with its graph, timeline and triage controls.

Everything is read and changed through the application object, as the command line and the
API do. The incident page's graph is drawn in the browser (cytoscape) from
``/incidents/{id}/graph.json``, the same document as the API's graph route, behind the session.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from fastapi import APIRouter, Form, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import RedirectResponse, Response
from sqlglot import exp

from trailhound.api.console.guard import (
    AnalystSession,
    ConsoleError,
    ViewerSession,
    check_csrf,
)
from trailhound.api.console.render import SEVERITIES, STATUSES, render
from trailhound.api.console.sessions import Session
from trailhound.api.deps import Product
from trailhound.api.encoding import JsonAnswer
from trailhound.errors import TrailhoundError

router = APIRouter()
ID = r"^[A-Za-z0-9-]{1,64}$"
TIMELINE_EVENTS = 200
EVENT_COLUMNS = (
    "event_time",
    "event_name",
    "event_source",
    "actor",
    "source_ip_address",
    "aws_region",
    "error_code",
    "event_id",
)


def _product(request: Request) -> Product:
    found: Product = request.app.state.product
    return found


def _choice(value: str, allowed: Iterable[str]) -> str | None:
    """A filter value from a form: empty is no filter, anything unknown is refused."""
    if not value:
        return None
    if value not in allowed:
        raise ConsoleError(400, f"Unknown filter value {value!r}.")
    return value


def _found(call: Any, *args: Any, **kwargs: Any) -> Any:
    """Call the application; its refusals become pages (404 for what does not exist)."""
    try:
        return call(*args, **kwargs)
    except TrailhoundError as error:
        text = str(error)
        raise ConsoleError(404 if text.startswith("no ") else 400, text) from error


def events_by_ids(
    found: Product, event_ids: Iterable[str], first: datetime, last: datetime
) -> list[dict[str, Any]]:
    """The stored events with these IDs in the days between ``first`` and ``last``, oldest
    first, at most ``TIMELINE_EVENTS`` (through the query workers, IDs bound as literals)."""
    ids = sorted(set(event_ids))[:TIMELINE_EVENTS]
    if not ids:
        return []
    days = exp.column("date").between(
        exp.cast(exp.Literal.string(first.date().isoformat()), exp.DataType.Type.DATE),
        exp.cast(exp.Literal.string((last + timedelta(days=1)).date().isoformat()), "DATE"),
    )
    query = (
        exp.select(*EVENT_COLUMNS)
        .from_("cloudtrail")
        .where(days)
        .where(exp.column("event_id").isin(*(exp.Literal.string(i) for i in ids)))
        .order_by("event_time", "event_id")
        .limit(TIMELINE_EVENTS)
    )
    columns, rows = found.run_query(query.sql(dialect="duckdb"), user_sql=False)
    return [dict(zip(columns, row, strict=True)) for row in rows]


def _rule_info(found: Product, rule_id: str) -> Any:
    """The loaded rule of that ID, if it is one (detector checks are not)."""
    ruleset = found.ruleset()
    rule = next((r for r in ruleset.rules if r.id == rule_id), None)
    return rule or next((c for c in ruleset.correlations if c.id == rule_id), None)


def pivot_query(actor: str | None) -> str:
    """The search that shows everything the alert's actor did: where an analyst starts."""
    if not actor:
        return "dataset = cloudtrail | sort eventTime desc | limit 100"
    quoted = actor.replace("\\", "\\\\").replace('"', '\\"')
    return (
        f'dataset = cloudtrail | filter actor = "{quoted}" '
        "| fields eventTime, eventName, eventSource, sourceIPAddress, errorCode | sort eventTime"
    )


# Alerts -----------------------------------------------------------------------------------
@router.get("/alerts")
def alerts_page(
    request: Request,
    session: Session = ViewerSession,
    severity: str = Query("", max_length=20),
    status: str = Query("", max_length=20),
    rule: str = Query("", max_length=200),
) -> Response:
    """Alerts, newest activity first, filtered by severity, status and rule."""
    app = _product(request).app
    chosen = (_choice(severity, SEVERITIES), _choice(status, STATUSES), rule or None)
    alerts = app.list_alerts(severity=chosen[0], status=chosen[1], rule_id=chosen[2], limit=200)
    total = app.count_alerts(severity=chosen[0], status=chosen[1], rule_id=chosen[2])
    return render(
        request,
        "alerts.html",
        alerts=alerts,
        total=total,
        severity=severity,
        status=status,
        rule=rule,
    )


@router.get("/alerts/{alert_id}")
def alert_page(
    request: Request, alert_id: str = PathParam(pattern=ID), session: Session = ViewerSession
) -> Response:
    """One alert: what fired, its events, how to investigate, its incident and trail."""
    found = _product(request)
    alert = _found(found.app.get_alert, alert_id)
    events = events_by_ids(found, alert["event_ids"], alert["first_seen"], alert["last_seen"])
    return render(
        request,
        "alert.html",
        alert=alert,
        events=events,
        rule=_rule_info(found, alert["rule_id"]),
        pivot=pivot_query(alert.get("actor")),
        incident_id=found.app.incident_store.for_alert(alert["id"]),
    )


@router.post("/alerts/{alert_id}")
def update_alert(
    request: Request,
    alert_id: str = PathParam(pattern=ID),
    session: Session = AnalystSession,
    csrf: str = Form("", max_length=200),
    status: str = Form("", max_length=20),
    comment: str = Form("", max_length=10_000),
) -> Response:
    """Give an alert its verdict (a status) and/or a comment, signed with the user's name."""
    check_csrf(session, csrf)
    alert = _found(
        _product(request).app.update_alert,
        alert_id,
        status=_choice(status, STATUSES),
        comment=comment.strip() or None,
        author=session.name,
    )
    return RedirectResponse(f"/alerts/{alert['id']}", status_code=303)


# Incidents --------------------------------------------------------------------------------
@router.get("/incidents")
def incidents_page(
    request: Request,
    session: Session = ViewerSession,
    severity: str = Query("", max_length=20),
    status: str = Query("", max_length=20),
    assignee: str = Query("", max_length=200),
    order: str = Query("recent", pattern="^(recent|score)$"),
) -> Response:
    """Incidents, most recent activity (or highest score) first, with filters."""
    incidents = _product(request).app.list_incidents(
        severity=_choice(severity, SEVERITIES),
        status=_choice(status, STATUSES),
        assignee=assignee or None,
        by_score=order == "score",
        limit=200,
    )
    return render(
        request,
        "incidents.html",
        incidents=incidents,
        severity=severity,
        status=status,
        assignee=assignee,
        order=order,
    )


@router.get("/incidents/{incident_id}")
def incident_page(
    request: Request, incident_id: str = PathParam(pattern=ID), session: Session = ViewerSession
) -> Response:
    """One incident: graph, timeline of its alerting events, alerts, trail and controls."""
    found = _product(request)
    incident = _found(found.app.get_incident, incident_id)
    alerting: dict[str, list[str]] = {}
    for alert in incident["alerts"]:
        for event_id in alert["event_ids"]:
            alerting.setdefault(event_id, []).append(alert["title"])
    events = events_by_ids(found, alerting, incident["first_seen"], incident["last_seen"])
    for event in events:
        event["alerts"] = alerting.get(event["event_id"], [])
    return render(request, "incident.html", incident=incident, events=events)


@router.get("/incidents/{incident_id}/graph.json")
def incident_graph(
    request: Request, incident_id: str = PathParam(pattern=ID), session: Session = ViewerSession
) -> Response:
    """The incident's root-cause graph as JSON, for the page's graph."""
    from trailhound.incidents.graph import to_json

    graph = _found(_product(request).app.incident_graph, incident_id)
    return JsonAnswer(to_json(graph))


@router.post("/incidents/{incident_id}")
def update_incident(
    request: Request,
    incident_id: str = PathParam(pattern=ID),
    session: Session = AnalystSession,
    csrf: str = Form("", max_length=200),
    status: str = Form("", max_length=20),
    assignee: str | None = Form(None, max_length=200),
    comment: str = Form("", max_length=10_000),
) -> Response:
    """Change the status, the assignee or add a comment, signed with the user's name."""
    check_csrf(session, csrf)
    incident = _found(
        _product(request).app.update_incident,
        incident_id,
        status=_choice(status, STATUSES),
        assignee=assignee.strip() if assignee is not None else None,
        comment=comment.strip() or None,
        author=session.name,
    )
    return RedirectResponse(f"/incidents/{incident['id']}", status_code=303)
