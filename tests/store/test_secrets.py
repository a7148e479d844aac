"""The secret store: encrypted at rest, private files, the key from a file or the environment."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from trailhound.data_dir import DataDir
from trailhound.errors import StoreError
from trailhound.store.secrets import KEY_ENV_VAR, SecretStore

VALUE = "th-external-id-6e1f0c2a9b"


def test_stored_encrypted_in_private_files(
    data_dir: DataDir, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(KEY_ENV_VAR, raising=False)
    secrets = SecretStore(data_dir)
    assert secrets.get("integration/prod/external_id") is None
    secrets.put("integration/prod/external_id", VALUE)
    assert secrets.get("integration/prod/external_id") == VALUE
    assert VALUE.encode() not in data_dir.secrets.read_bytes()
    for path in (data_dir.secrets, data_dir.secret_key):
        assert path.stat().st_mode & 0o777 == 0o600, path
    secrets.put("integration/prod/external_id", None)
    assert SecretStore(data_dir).get("integration/prod/external_id") is None


def test_a_key_from_the_environment_stays_out_of_the_data_directory(
    data_dir: DataDir, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(KEY_ENV_VAR, Fernet.generate_key().decode())
    SecretStore(data_dir).put("a", VALUE)
    assert not data_dir.secret_key.exists()
    assert SecretStore(data_dir).get("a") == VALUE
    monkeypatch.setenv(
        KEY_ENV_VAR, Fernet.generate_key().decode()
    )  # not the key it was sealed with
    with pytest.raises(StoreError, match="cannot decrypt the secret 'a'"):
        SecretStore(data_dir).get("a")
    monkeypatch.setenv(KEY_ENV_VAR, "not-a-key")
    with pytest.raises(StoreError, match="not a Fernet key"):
        SecretStore(data_dir).get("a")


def test_two_keys_are_never_made_for_one_directory(tmp_path: Path) -> None:
    data_dir = DataDir(tmp_path / "fresh")  # not created yet
    first, second = SecretStore(data_dir), SecretStore(data_dir)
    first.put("a", "1")
    second.put("b", "2")
    assert (first.get("b"), second.get("a")) == ("2", "1")
    assert data_dir.root.stat().st_mode & 0o777 == 0o700
