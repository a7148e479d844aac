"""Who may see a console page: a signed-in session, with the role the page needs, and a CSRF
token on every form that changes something.

A request without a valid session is sent to ``/login`` (and back afterwards); a session
whose role is short of what the page needs gets a 403 page; a form whose CSRF token is missing
or wrong is refused with a 403 before anything changes. The roles are the API's: a viewer
reads, an analyst triages, an admin manages integrations.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from fastapi import Depends, Request

from trailhound.api.console.sessions import SESSION_COOKIE, Session, SessionSigner
from trailhound.api.keys import role_allows

if TYPE_CHECKING:
    from trailhound.api.console.state import ConsoleState


class LoginRequired(Exception):
    """No valid session: go and sign in, then come back to ``next``."""

    def __init__(self, next_path: str) -> None:
        super().__init__("sign in first")
        self.next = next_path


class ConsoleError(Exception):
    """A refusal shown as a page: its status and a sentence saying why."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def console_state(request: Request) -> ConsoleState:
    """The console state of the app serving ``request``."""
    state: ConsoleState = request.app.state.console
    return state


def _where(request: Request) -> str:
    query = request.url.query
    return request.url.path + (f"?{query}" if query else "")


def signed_in(role: str) -> Callable[[Request], Session]:
    """A dependency admitting a valid session whose role includes ``role``."""

    def check(request: Request) -> Session:
        signer = console_state(request).signer
        session = signer.check(request.cookies.get(SESSION_COOKIE))
        if session is None:
            raise LoginRequired(_where(request) if request.method == "GET" else "/")
        request.state.session = session
        if not role_allows(session.role, role):
            raise ConsoleError(403, f"Your role ({session.role}) may not do this (needs {role}).")
        return session

    check.__name__ = f"console_{role}"
    return check


def check_csrf(session: Session, given: str | None) -> None:
    """Refuse (403) a form whose CSRF token is not the session's."""
    if not SessionSigner.csrf_ok(session.csrf, given):
        raise ConsoleError(403, "The form's CSRF token is missing or wrong: reload the page.")


# Route dependencies, named by what they admit.
ViewerSession = Depends(signed_in("viewer"))
AnalystSession = Depends(signed_in("analyst"))
AdminSession = Depends(signed_in("admin"))
