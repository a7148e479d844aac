"""Console users: a name, a role and an argon2id password hash; sign-in attempts rate-limited.

The console's sign-in form (to come) checks passwords here. ``LoginLimiter`` keeps the recent
failed attempts per name and per client address in memory: past the limit, a name or address
is refused for the rest of the window, whatever the password, so that guessing is slow.
"""

from __future__ import annotations

import re
import threading
import time
from collections import defaultdict, deque
from dataclasses import dataclass
from datetime import UTC, datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from trailhound.api.keys import ApiKeyError
from trailhound.store.state import StateDB

USER_ROLES = ("admin", "analyst", "viewer")
MIN_PASSWORD_CHARS = 12
_NAME = re.compile(r"^[A-Za-z0-9._@-]{1,64}$")


class UserError(ApiKeyError):
    """A user could not be added, found or signed in."""


@dataclass(frozen=True, slots=True)
class User:
    """A console user, without the password hash."""

    name: str
    role: str
    created_at: datetime
    disabled_at: datetime | None = None


class UserStore:
    """The console users of one state database."""

    def __init__(self, state: StateDB, hasher: PasswordHasher | None = None) -> None:
        self.state = state
        # argon2id with the library's current recommended parameters (tests pass cheaper ones)
        self.hasher = hasher or PasswordHasher()
        self._dummy: str | None = None

    def _dummy_hash(self) -> str:
        """A hash of a password nobody has: checking an unknown name against it costs as much
        time as checking a known one, so that timing does not tell which names exist."""
        if self._dummy is None:
            self._dummy = self.hasher.hash("no such user: this hash only burns the same time")
        return self._dummy

    def add(self, name: str, role: str, password: str) -> User:
        """Add a user (or set a new role and password for an existing one)."""
        if not _NAME.match(name):
            raise UserError(f"bad user name {name!r}: letters, digits, '.', '_', '@', '-'")
        if role not in USER_ROLES:
            raise UserError(f"unknown role {role!r}: use one of {', '.join(USER_ROLES)}")
        if len(password) < MIN_PASSWORD_CHARS:
            raise UserError(f"the password must be at least {MIN_PASSWORD_CHARS} characters")
        now = datetime.now(UTC)
        with self.state.connect() as con:
            con.execute(
                "INSERT OR REPLACE INTO users (name, role, password_hash, created_at) "
                "VALUES (?, ?, ?, ?)",
                [name, role, self.hasher.hash(password), now],
            )
        return User(name, role, now)

    def list_users(self) -> list[User]:
        """Every user, by name."""
        with self.state.connect() as con:
            rows = con.execute(
                "SELECT name, role, created_at, disabled_at FROM users ORDER BY name"
            ).fetchall()
        return [User(*row) for row in rows]

    def authenticate(self, name: str, password: str) -> User | None:
        """The user if the password is right and the user active; None otherwise."""
        with self.state.connect() as con:
            row = con.execute(
                "SELECT name, role, created_at, disabled_at, password_hash FROM users "
                "WHERE name = ?",
                [name],
            ).fetchone()
        stored = str(row[4]) if row is not None else self._dummy_hash()
        try:
            self.hasher.verify(stored, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return None
        if row is None or row[3] is not None:
            return None
        return User(*row[:4])


class LoginLimiter:
    """At most ``attempts`` failed sign-ins per name and per address in ``window`` seconds."""

    def __init__(self, attempts: int = 5, window: float = 300.0) -> None:
        self.attempts = attempts
        self.window = window
        self._lock = threading.Lock()
        self._failures: dict[str, deque[float]] = defaultdict(deque)

    def _recent(self, key: str, now: float) -> deque[float]:
        times = self._failures[key]
        while times and times[0] <= now - self.window:
            times.popleft()
        return times

    def allowed(self, name: str, address: str) -> bool:
        """Whether a sign-in for ``name`` from ``address`` may be tried now."""
        now = time.monotonic()
        with self._lock:
            keys = (f"name:{name.lower()}", f"addr:{address}")
            return all(len(self._recent(k, now)) < self.attempts for k in keys)

    def failed(self, name: str, address: str) -> None:
        """Count a failed sign-in."""
        now = time.monotonic()
        with self._lock:
            for key in (f"name:{name.lower()}", f"addr:{address}"):
                self._recent(key, now).append(now)
