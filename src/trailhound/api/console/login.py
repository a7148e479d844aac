"""Signing in and out of the console.

``GET /login`` shows the form with a CSRF token that is also set as a cookie (double submit:
there is no session yet); ``POST /login`` checks it, then the name and password against the
argon2 users, after the limiter allows the name and the client address another try. A good
password gets a session cookie (HttpOnly, SameSite=Strict, Secure over https) and a redirect
back to the page asked for. ``POST /logout`` (with the session's CSRF token) revokes it.
Neither the password nor the cookie's value is ever logged.
"""

from __future__ import annotations

import secrets
from urllib.parse import quote

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from trailhound.api.console.guard import ViewerSession, check_csrf, console_state
from trailhound.api.console.render import render
from trailhound.api.console.sessions import LOGIN_CSRF_COOKIE, SESSION_COOKIE, Session
from trailhound.api.console.sessions import SessionSigner as Signer

router = APIRouter()
DEFAULT_PAGE = "/incidents"


def login_url(next_path: str) -> str:
    """The sign-in page, coming back to ``next_path`` afterwards."""
    return "/login" if next_path in ("", "/") else f"/login?next={quote(next_path, safe='/')}"


def _local(next_path: str | None) -> str:
    """Only a path of this site: never another host (``//evil``, ``https://…``, ``/\\evil``)."""
    if not next_path or not next_path.startswith("/") or next_path.startswith(("//", "/\\")):
        return DEFAULT_PAGE
    return next_path


def _secure(request: Request) -> bool:
    return request.url.scheme == "https"


def _form(
    request: Request, *, next_path: str, name: str = "", error: str = "", status_code: int = 200
) -> Response:
    token = request.cookies.get(LOGIN_CSRF_COOKIE) or secrets.token_urlsafe(24)
    page = render(
        request,
        "login.html",
        status_code=status_code,
        session=None,
        csrf=token,
        next=next_path,
        name=name,
        error=error,
    )
    page.set_cookie(
        LOGIN_CSRF_COOKIE,
        token,
        httponly=True,
        samesite="strict",
        secure=_secure(request),
        path="/login",
    )
    return page


@router.get("/login")
def login_page(request: Request, next: str = "") -> Response:
    """The sign-in form."""
    return _form(request, next_path=_local(next))


@router.post("/login")
def login(
    request: Request,
    name: str = Form("", max_length=64),
    password: str = Form("", max_length=1024),
    csrf: str = Form("", max_length=200),
    next: str = Form("", max_length=2000),
) -> Response:
    """Check the form's token, the limiter, then the password; a session on success."""
    state = console_state(request)
    target = _local(next)
    if not Signer.csrf_ok(request.cookies.get(LOGIN_CSRF_COOKIE) or "", csrf):
        return _form(
            request,
            next_path=target,
            name=name,
            error="The form expired: please sign in again.",
            status_code=403,
        )
    address = request.client.host if request.client else "unknown"
    if not state.limiter.allowed(name, address):
        return _form(
            request,
            next_path=target,
            name=name,
            error="Too many failed attempts: wait a few minutes and try again.",
            status_code=429,
        )
    user = state.product.users.authenticate(name, password)
    if user is None:
        state.limiter.failed(name, address)
        return _form(
            request,
            next_path=target,
            name=name,
            error="Wrong name or password.",
            status_code=401,
        )
    token, _ = state.signer.issue(user)
    answer = RedirectResponse(target, status_code=303)
    answer.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=state.signer.seconds,
        httponly=True,
        samesite="strict",
        secure=_secure(request),
        path="/",
    )
    answer.delete_cookie(LOGIN_CSRF_COOKIE, path="/login")
    return answer


@router.post("/logout")
def logout(
    request: Request,
    session: Session = ViewerSession,
    csrf: str = Form("", max_length=200),
) -> Response:
    """Revoke the session and forget the cookie."""
    check_csrf(session, csrf)
    console_state(request).signer.revoke(session)
    answer = RedirectResponse("/login", status_code=303)
    answer.delete_cookie(SESSION_COOKIE, path="/")
    return answer
