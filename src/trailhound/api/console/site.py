"""The console's wiring: its state on the app, its routers, static files and security headers.

``mount_console(app, product)`` adds the pages (``/login``, ``/search``, ``/alerts``,
``/incidents``, ``/integrations``, ``/rules``, ``/suppressions``), the static files under
``/static`` and a middleware giving every console answer a Content-Security-Policy of this
origin only (no inline script or style, no framing), ``nosniff`` and no referrer. The API
under ``/api/v1`` and ``/docs`` keep their own answers.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from trailhound.api.console import admin, feedback, login, search, triage
from trailhound.api.console.guard import ConsoleError, LoginRequired
from trailhound.api.console.render import render
from trailhound.api.console.state import ConsoleState
from trailhound.api.deps import Product

STATIC = Path(__file__).with_name("static")
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; "
    "object-src 'none'"
)
SECURITY_HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
]
_NOT_CONSOLE = ("/api/", "/docs")


class SecurityHeaders:
    """Adds the console's security headers to every answer outside the API (ASGI middleware)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or str(scope.get("path", "")).startswith(_NOT_CONSOLE):
            await self.app(scope, receive, send)
            return

        async def headed(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *SECURITY_HEADERS]
            await send(message)

        await self.app(scope, receive, headed)


def mount_console(app: FastAPI, found: Product) -> None:
    """Add the console's pages, static files and headers to the API's app."""
    app.state.console = ConsoleState(found)
    for module in (login, search, triage, admin, feedback):
        app.include_router(module.router, include_in_schema=False)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.add_middleware(SecurityHeaders)

    @app.get("/", include_in_schema=False)
    def home() -> Response:
        return RedirectResponse("/incidents", status_code=303)

    @app.exception_handler(LoginRequired)
    async def _login(request: Request, error: LoginRequired) -> Response:
        return RedirectResponse(login.login_url(error.next), status_code=303)

    @app.exception_handler(ConsoleError)
    async def _refused(request: Request, error: ConsoleError) -> HTMLResponse:
        session = getattr(request.state, "session", None)
        return render(
            request,
            "error.html",
            status_code=error.status,
            session=session,
            csrf=session.csrf if session else "",
            status=error.status,
            message=error.message,
        )
