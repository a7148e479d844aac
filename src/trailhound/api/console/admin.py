"""The console's integrations page (with the connection test) and rules page (enable, disable).

Both do what their API routes do, through the same functions: the connection test runs the
application's check (credentials, queue, notification route, a log object) and needs an admin,
as ``POST /api/v1/integrations/{name}/test`` does; enabling or disabling a rule needs an
analyst, retro-hunts on enable and makes the server's detection reload.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Form, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import RedirectResponse, Response

from trailhound.api.console.guard import (
    AdminSession,
    AnalystSession,
    ConsoleError,
    ViewerSession,
    check_csrf,
)
from trailhound.api.console.render import render
from trailhound.api.console.sessions import Session
from trailhound.api.deps import Product
from trailhound.api.problems import Problem
from trailhound.api.routes.rules import rule_listing, set_rule_enabled
from trailhound.errors import TrailhoundError

router = APIRouter()
NAME = r"^[A-Za-z0-9._-]{1,64}$"
RULE_ID = r"^[A-Za-z0-9._:-]{1,128}$"


def _product(request: Request) -> Product:
    found: Product = request.app.state.product
    return found


def _integrations(found: Product) -> list[dict[str, Any]]:
    return [i.public_view() for i in found.app.integrations.list_integrations()]


@router.get("/integrations")
def integrations_page(request: Request, session: Session = ViewerSession) -> Response:
    """The AWS integrations, their state and counters."""
    return render(request, "integrations.html", integrations=_integrations(_product(request)))


@router.post("/integrations/{name}/test")
def test_integration(
    request: Request,
    name: str = PathParam(pattern=NAME),
    session: Session = AdminSession,
    csrf: str = Form("", max_length=200),
) -> Response:
    """Run the connection test and show its steps on the integrations page."""
    check_csrf(session, csrf)
    found = _product(request)
    try:
        report = found.app.test_integration(name)
    except TrailhoundError as error:
        text = str(error)
        raise ConsoleError(404 if text.startswith("no ") else 400, text) from error
    return render(
        request,
        "integrations.html",
        integrations=_integrations(found),
        tested=name,
        report=report,
    )


@router.get("/rules")
def rules_page(
    request: Request,
    session: Session = ViewerSession,
    show: str = Query("all", pattern="^(all|enabled|disabled)$"),
    q: str = Query("", max_length=200),
) -> Response:
    """Every rule that alerts, whether it is enabled, and the files that did not load."""
    found = _product(request)
    listing = rule_listing(found)
    rules = listing["rules"]
    if show != "all":
        rules = [r for r in rules if r["enabled"] == (show == "enabled")]
    if q:
        needle = q.lower()
        rules = [r for r in rules if needle in r["title"].lower() or needle in r["id"].lower()]
    return render(
        request,
        "rules.html",
        rules=sorted(rules, key=lambda r: (not r["enabled"], r["title"])),
        total=len(listing["rules"]),
        problems=listing["problems"],
        show=show,
        q=q,
        feedback=found.app.feedback(),
        suppressions=found.app.list_suppressions(),
    )


@router.post("/rules/{rule_id}")
def set_rule(
    request: Request,
    rule_id: str = PathParam(pattern=RULE_ID),
    session: Session = AnalystSession,
    csrf: str = Form("", max_length=200),
    enabled: str = Form("", pattern="^(|true|false)$"),
) -> Response:
    """Enable or disable a rule, then back to the rules page."""
    check_csrf(session, csrf)
    if enabled not in ("true", "false"):
        raise ConsoleError(400, "Say whether the rule is to be enabled.")
    try:
        set_rule_enabled(_product(request), rule_id, enabled == "true")
    except (TrailhoundError, Problem) as error:
        raise ConsoleError(400, str(error)) from error
    return RedirectResponse("/rules", status_code=303)
