"""Secrets (an integration's external ID, later API keys): encrypted, outside the state database.

``secrets.json`` in the data directory maps a name to a Fernet token (AES-128-CBC with an
HMAC-SHA256); the key is ``secret.key`` beside it, or ``$TRAILHOUND_SECRET_KEY`` so that it can
live elsewhere (a secret manager, the service's environment). Both files are 0600. Kept out of
``state.duckdb``, a secret can never be read through ``trailhound sql`` or ``query``, and a copy
of the state database handed to someone carries none.
"""

from __future__ import annotations

import os
from pathlib import Path

import orjson
from cryptography.fernet import Fernet, InvalidToken

from trailhound.data_dir import DataDir
from trailhound.errors import StoreError
from trailhound.store.lock import WriteLock

KEY_ENV_VAR = "TRAILHOUND_SECRET_KEY"


def _write_private(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` atomically, readable by the owner only."""
    partial = path.with_name(path.name + ".partial")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o600)
    try:
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)
    partial.replace(path)


class SecretStore:
    """Named secrets of one data directory, encrypted at rest."""

    def __init__(self, data_dir: DataDir) -> None:
        self.data_dir = data_dir
        self.path = data_dir.secrets
        self.key_path = data_dir.secret_key

    def _fernet(self) -> Fernet:
        key = os.environ.get(KEY_ENV_VAR)
        if key:
            try:
                return Fernet(key.encode())
            except ValueError as error:
                raise StoreError(f"${KEY_ENV_VAR} is not a Fernet key: {error}") from None
        self.data_dir.root.mkdir(mode=0o700, parents=True, exist_ok=True)
        try:
            fd = os.open(self.key_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600)
        except FileExistsError:
            return Fernet(self.key_path.read_bytes().strip())
        try:
            os.write(fd, Fernet.generate_key())
        finally:
            os.close(fd)
        return Fernet(self.key_path.read_bytes().strip())

    def _load(self) -> dict[str, str]:
        try:
            loaded = orjson.loads(self.path.read_bytes())
        except FileNotFoundError:
            return {}
        except orjson.JSONDecodeError as error:
            raise StoreError(f"{self.path} is damaged: {error}") from None
        return {str(k): str(v) for k, v in loaded.items()} if isinstance(loaded, dict) else {}

    def get(self, name: str) -> str | None:
        """The secret called ``name``, or None."""
        token = self._load().get(name)
        if token is None:
            return None
        try:
            return self._fernet().decrypt(token.encode()).decode()
        except InvalidToken:
            raise StoreError(
                f"cannot decrypt the secret {name!r}: {self.key_path} (or ${KEY_ENV_VAR}) is not "
                "the key it was stored with"
            ) from None

    def put(self, name: str, value: str | None) -> None:
        """Store (or, with None, remove) the secret called ``name``."""
        with WriteLock(self.data_dir.write_lock).hold():  # one read-modify-write at a time
            stored = self._load()
            if value is None:
                if stored.pop(name, None) is None:
                    return
            else:
                stored[name] = self._fernet().encrypt(value.encode()).decode()
            _write_private(self.path, orjson.dumps(stored, option=orjson.OPT_SORT_KEYS))
