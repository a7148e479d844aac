"""Pages from the package's Jinja2 templates, escaped (autoescape on for every template).

``render(request, name, **context)`` answers one page; the filters format what the stores
return (times in UTC, ARNs shortened, JSON-ish values as text) so templates stay plain.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import orjson
from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, select_autoescape

from trailhound import __version__

SEVERITIES = ("informational", "low", "medium", "high", "critical")
STATUSES = ("new", "in_progress", "resolved", "false_positive")


def show_time(value: object) -> str:
    """A time as ``2026-11-05 03:21:07`` (UTC), anything else as text."""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, date):
        return value.isoformat()
    return "" if value is None else str(value)


def short_arn(value: object) -> str:
    """An ARN without its partition, service, region and account: ``role/Admin/alice``."""
    text = "" if value is None else str(value)
    return text.split(":", 5)[-1] if text.startswith("arn:") else text


def show_value(value: object) -> str:
    """A result cell as text: times in UTC, lists and maps as JSON, nothing as empty."""
    if value is None:
        return ""
    if isinstance(value, datetime | date):
        return show_time(value)
    if isinstance(value, list | tuple | dict):
        return orjson.dumps(value, default=str).decode()
    return str(value)


ENVIRONMENT = Environment(
    loader=PackageLoader("trailhound.api.console", "templates"),
    autoescape=select_autoescape(default=True, default_for_string=True),
    trim_blocks=True,
    lstrip_blocks=True,
)
ENVIRONMENT.filters.update(time=show_time, arn=short_arn, cell=show_value)
ENVIRONMENT.globals.update(version=__version__, SEVERITIES=SEVERITIES, STATUSES=STATUSES)


def render(
    request: Request, template: str, *, status_code: int = 200, **context: Any
) -> HTMLResponse:
    """One page from a template; ``session`` (if any) and ``csrf`` come in ``context``."""
    context.setdefault("session", getattr(request.state, "session", None))
    session = context["session"]
    context.setdefault("csrf", session.csrf if session is not None else "")
    context["path"] = request.url.path
    html = ENVIRONMENT.get_template(template).render(**context)
    return HTMLResponse(html, status_code=status_code, headers={"Cache-Control": "no-store"})
