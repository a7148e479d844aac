"""``trailhound keys`` and ``trailhound users``: a key printed once and stored hashed, revoked;
a user's password read from a pipe and stored as an argon2 hash."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from trailhound.api.keys import KeyStore
from trailhound.api.users import UserStore
from trailhound.cli import app
from trailhound.store.state import StateDB

runner = CliRunner()


def _run(data_dir: Path, *args: str, stdin: str | None = None) -> tuple[int, str]:
    result = runner.invoke(app, ["--data-dir", str(data_dir), *args], input=stdin)
    return result.exit_code, result.stdout


def test_keys_create_list_revoke(tmp_path: Path) -> None:
    code, output = _run(tmp_path, "keys", "create", "--role", "ingest", "--name", "forwarder")
    assert code == 0, output
    key = output.splitlines()[0]
    store = KeyStore(StateDB(tmp_path / "state.duckdb"))
    assert store.verify(key) == ("ingest", "forwarder")
    code, listed = _run(tmp_path, "keys", "list")
    assert "forwarder" in listed and "ingest" in listed and key not in listed
    key_id = key.split("_")[1]
    assert _run(tmp_path, "keys", "revoke", key_id)[0] == 0
    assert KeyStore(StateDB(tmp_path / "state.duckdb")).verify(key) is None
    assert _run(tmp_path, "keys", "revoke", "nope")[0] == 2
    assert _run(tmp_path, "keys", "create", "--role", "root")[0] == 2


def test_users_add_reads_the_password_from_a_pipe(tmp_path: Path) -> None:
    code, output = _run(tmp_path, "users", "add", "alice", "--role", "analyst",
                        stdin="correct horse battery staple\n")  # fmt: skip
    assert code == 0, output
    assert "correct horse" not in output
    users = UserStore(StateDB(tmp_path / "state.duckdb"))
    assert users.authenticate("alice", "correct horse battery staple") is not None
    assert "alice" in _run(tmp_path, "users", "list")[1]
    code, _ = _run(tmp_path, "users", "add", "bob", "--role", "viewer", stdin="short\n")
    assert code == 2
