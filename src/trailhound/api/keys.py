"""API keys: random bearer tokens with a role, of which the state database keeps only a hash.

A key reads ``th_<id>_<secret>``: the ID is public (listed, revoked by), the secret is 32 random
bytes, and the state database holds the SHA-256 of the whole key, never the key itself. A
high-entropy random key needs no slow hash: guessing one is as hard as guessing 256 bits.

Roles nest: ``admin`` may do what ``analyst`` may, who may do what ``viewer`` may; ``ingest``
is apart, good only for pushing events (and an admin may push too).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from trailhound.errors import TrailhoundError
from trailhound.store.state import StateDB

ROLES = ("admin", "analyst", "viewer", "ingest")
# What each role may do, as the set of roles whose permissions it includes.
_INCLUDES: dict[str, frozenset[str]] = {
    "admin": frozenset(ROLES),
    "analyst": frozenset({"analyst", "viewer"}),
    "viewer": frozenset({"viewer"}),
    "ingest": frozenset({"ingest"}),
}
_KEY = re.compile(r"^th_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$")
_CACHE_SECONDS = 2.0  # how long a revocation made by another process may take to be seen


class ApiKeyError(TrailhoundError):
    """A key could not be created, found or revoked."""


def role_allows(role: str, needed: str) -> bool:
    """Whether a key of ``role`` may do what needs ``needed``.

    >>> role_allows("admin", "viewer"), role_allows("viewer", "analyst")
    (True, False)
    >>> role_allows("ingest", "viewer")
    False
    """
    return needed in _INCLUDES.get(role, frozenset())


def check_role(role: str) -> str:
    """``role`` if it is one of ``ROLES``; ApiKeyError otherwise."""
    if role not in ROLES:
        raise ApiKeyError(f"unknown role {role!r}: use one of {', '.join(ROLES)}")
    return role


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class ApiKey:
    """A stored key, without its secret."""

    id: str
    name: str
    role: str
    created_at: datetime
    revoked_at: datetime | None = None

    def public_view(self) -> dict[str, Any]:
        """What listing a key shows."""
        return {
            "id": self.id,
            "name": self.name,
            "role": self.role,
            "created_at": self.created_at,
            "revoked_at": self.revoked_at,
        }


class KeyStore:
    """The API keys of one state database."""

    def __init__(self, state: StateDB) -> None:
        self.state = state
        self._lock = threading.Lock()
        self._cache: dict[str, tuple[str, str, str]] = {}  # id → (hash, role, name), valid only
        self._loaded_at = -_CACHE_SECONDS

    def create(self, role: str, name: str = "") -> tuple[ApiKey, str]:
        """A new key: its record and the key itself (shown once, never stored)."""
        check_role(role)
        key_id = secrets.token_hex(6)
        key = f"th_{key_id}_{secrets.token_urlsafe(32)}"
        now = datetime.now(UTC)
        with self.state.connect() as con:
            con.execute(
                "INSERT INTO api_keys (id, name, role, key_hash, created_at) "
                "VALUES (?, ?, ?, ?, ?)",
                [key_id, name or key_id, role, _digest(key), now],
            )
        self._loaded_at = -_CACHE_SECONDS
        return ApiKey(key_id, name or key_id, role, now), key

    def list_keys(self) -> list[ApiKey]:
        """Every key, revoked ones too, oldest first."""
        with self.state.connect() as con:
            rows = con.execute(
                "SELECT id, name, role, created_at, revoked_at FROM api_keys ORDER BY created_at"
            ).fetchall()
        return [ApiKey(*row) for row in rows]

    def revoke(self, key_id: str) -> ApiKey:
        """Revoke a key by its ID; it stops working within seconds everywhere."""
        with self.state.connect() as con:
            row = con.execute(
                "UPDATE api_keys SET revoked_at = coalesce(revoked_at, now()) WHERE id = ? "
                "RETURNING id, name, role, created_at, revoked_at",
                [key_id],
            ).fetchone()
        if row is None:
            raise ApiKeyError(f"no API key {key_id!r}")
        self._loaded_at = -_CACHE_SECONDS
        return ApiKey(*row)

    def verify(self, key: str) -> tuple[str, str] | None:
        """The (role, name) of a valid key, or None for an unknown, malformed or revoked one."""
        match = _KEY.match(key)
        if match is None:
            return None
        found = self._valid().get(match.group(1))
        if found is None:
            return None
        digest, role, name = found
        if not hmac.compare_digest(digest, _digest(key)):
            return None
        return role, name

    def _valid(self) -> dict[str, tuple[str, str, str]]:
        """The valid keys' hashes, re-read from the state database every couple of seconds."""
        with self._lock:
            if time.monotonic() - self._loaded_at >= _CACHE_SECONDS:
                with self.state.connect() as con:
                    rows = con.execute(
                        "SELECT id, key_hash, role, name FROM api_keys WHERE revoked_at IS NULL"
                    ).fetchall()
                self._cache = {str(i): (str(h), str(r), str(n)) for i, h, r, n in rows}
                self._loaded_at = time.monotonic()
            return self._cache
