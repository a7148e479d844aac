"""Console sessions: a signed cookie with an expiry, checked against the users on every request.

A session token is ``payload.signature``: the payload (base64url JSON) names the user, a random
session ID and the expiry; the signature is HMAC-SHA256 under a secret generated once per data
directory (``console.key``, mode 0600, never logged or shown). Each request checks the signature
and the expiry, then reads the user again, so that a removed or disabled user, or a new role,
takes effect at once; signing out adds the session ID to a revoked list kept until the token
would have expired anyway.

Forms carry a CSRF token derived from the session ID (HMAC under the same secret), compared in
constant time; the sign-in form, before any session, uses a double-submit cookie instead.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import orjson

from trailhound.api.users import User, UserStore
from trailhound.data_dir import DataDir

SESSION_COOKIE = "th_session"
LOGIN_CSRF_COOKIE = "th_login_csrf"
SESSION_SECONDS = 8 * 3600  # a working day; then sign in again
SECRET_FILE = "console.key"
_SECRET_BYTES = 32


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def load_secret(data_dir: DataDir) -> bytes:
    """The data directory's session secret, created (0600, exclusively) on first use."""
    path: Path = data_dir.root / SECRET_FILE
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        secret = path.read_bytes()
        if len(secret) < _SECRET_BYTES:
            raise ValueError(f"{SECRET_FILE} in the data directory is too short") from None
        return secret
    secret = secrets.token_bytes(_SECRET_BYTES)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(secret)
    return secret


@dataclass(frozen=True, slots=True)
class Session:
    """A signed-in user: name and current role, the session ID and its CSRF token."""

    name: str
    role: str
    session_id: str
    expires: float
    csrf: str


class SessionSigner:
    """Issues, checks and revokes console session tokens of one data directory."""

    def __init__(self, secret: bytes, users: UserStore, seconds: int = SESSION_SECONDS) -> None:
        self._secret = secret
        self.users = users
        self.seconds = seconds
        self._revoked: dict[str, float] = {}  # session ID → its expiry
        self._lock = threading.Lock()

    def _sign(self, purpose: bytes, data: bytes) -> bytes:
        return hmac.new(self._secret, purpose + b"\0" + data, hashlib.sha256).digest()

    def csrf_for(self, session_id: str) -> str:
        """The CSRF token of a session."""
        return _b64(self._sign(b"csrf", session_id.encode()))

    def issue(self, user: User) -> tuple[str, Session]:
        """A new session token for a user who just signed in."""
        session_id = secrets.token_urlsafe(16)
        expires = time.time() + self.seconds
        payload = _b64(orjson.dumps({"u": user.name, "s": session_id, "e": int(expires)}))
        token = payload + "." + _b64(self._sign(b"session", payload.encode()))
        return token, Session(user.name, user.role, session_id, expires, self.csrf_for(session_id))

    def check(self, token: str | None) -> Session | None:
        """The session a token stands for, or None (forged, expired, revoked, user gone)."""
        if not token or len(token) > 1024 or token.count(".") != 1:
            return None
        payload, signature = token.split(".")
        try:
            expected = self._sign(b"session", payload.encode())
            if not hmac.compare_digest(expected, _unb64(signature)):
                return None
            fields = orjson.loads(_unb64(payload))
            name, session_id, expires = str(fields["u"]), str(fields["s"]), float(fields["e"])
        except (ValueError, KeyError, TypeError, orjson.JSONDecodeError):
            return None
        if expires <= time.time():
            return None
        with self._lock:
            if session_id in self._revoked:
                return None
        user = self.users.get(name)
        if user is None or user.disabled_at is not None:
            return None
        return Session(user.name, user.role, session_id, expires, self.csrf_for(session_id))

    def revoke(self, session: Session) -> None:
        """Sign a session out: its token is refused from now on."""
        now = time.time()
        with self._lock:
            self._revoked = {s: e for s, e in self._revoked.items() if e > now}
            self._revoked[session.session_id] = session.expires

    @staticmethod
    def csrf_ok(expected: str, given: str | None) -> bool:
        """Whether a form's CSRF token is the one expected (constant-time)."""
        return bool(given) and hmac.compare_digest(expected.encode(), str(given).encode())
