"""Bearer-key authentication and per-route roles.

Every route but ``/health`` depends on ``require(ROLE)``: no ``Authorization: Bearer KEY``
header or an unknown, malformed or revoked key is a 401, a valid key without the role a 403.
The key itself never reaches a log line: only its public ID is kept on the request.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from trailhound.api.deps import Product, product
from trailhound.api.keys import role_allows
from trailhound.api.problems import Problem

_BEARER = HTTPBearer(auto_error=False, description="An API key: `trailhound keys create`.")


@dataclass(frozen=True, slots=True)
class Caller:
    """Who made a request: the key's name and role."""

    name: str
    role: str


def _unauthorized(detail: str) -> Problem:
    problem = Problem(401, detail, kind="unauthorized")
    problem.headers["WWW-Authenticate"] = 'Bearer realm="trailhound"'
    return problem


def require(role: str) -> Callable[..., Caller]:
    """A dependency admitting keys whose role includes ``role``."""

    def check(
        request: Request,
        credentials: HTTPAuthorizationCredentials | None = Depends(_BEARER),  # noqa: B008
        found: Product = Depends(product),  # noqa: B008
    ) -> Caller:
        if credentials is None or credentials.scheme.lower() != "bearer":
            raise _unauthorized("an API key is required: Authorization: Bearer KEY")
        verified = found.keys.verify(credentials.credentials)
        if verified is None:
            raise _unauthorized("unknown or revoked API key")
        key_role, name = verified
        if not role_allows(key_role, role):
            raise Problem(
                403,
                f"this key's role ({key_role}) may not do this (needs {role})",
                kind="forbidden",
            )
        caller = Caller(name, key_role)
        request.state.caller = caller
        return caller

    check.__name__ = f"require_{role}"
    return check


# Route dependencies, named by what they admit.
Viewer = Depends(require("viewer"))
Analyst = Depends(require("analyst"))
Admin = Depends(require("admin"))
Ingest = Depends(require("ingest"))
