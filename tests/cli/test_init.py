"""The main callback: a private data directory whatever the umask; a writer says whom it awaits."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from tests.cli.conftest import run
from tests.conftest import make_record, write_log
from trailhound.data_dir import DataDir

CLI = [sys.executable, "-m", "trailhound"]


def test_the_data_directory_is_private_whatever_the_umask(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_log(tmp_path / "logs", [make_record(i) for i in range(3)])
    store = tmp_path / "store"
    monkeypatch.setenv("TRAILHOUND_EXTERNAL_ID", "th-0f3c9a7e51d2b8a4")
    queue = "https://sqs.us-east-1.amazonaws.com/111122223333/q"
    previous = os.umask(0o022)  # a typical login shell's; the command line sets its own
    try:
        for args in (
            ["ingest", "--no-detect", str(tmp_path / "logs")],
            ["integration", "add", "prod", "--queue-url", queue, "--role-arn",
             "arn:aws:iam::111122223333:role/r"],
        ):  # fmt: skip
            code, output = run(store, *args)
            assert code == 0, output
    finally:
        os.umask(previous)
    found = [store, *store.rglob("*")]
    assert any(p.name == "secrets.json" for p in found)
    assert any(p.suffix == ".parquet" for p in found)
    loose = [
        f"{p.relative_to(tmp_path)} {p.stat().st_mode & 0o777:o}"
        for p in found
        if p.stat().st_mode & 0o077
    ]
    assert loose == []
    assert {p.stat().st_mode & 0o777 for p in found if p.is_dir()} == {0o700}
    assert b"th-0f3c9a7e51d2b8a4" not in (store / "state.duckdb").read_bytes()


HOLD_LOCK = (
    "import sys; from pathlib import Path; from trailhound.store.lock import WriteLock\n"
    "with WriteLock(Path(sys.argv[1])).hold():\n"
    "    print('held', flush=True); sys.stdin.read()\n"
)


def test_a_writer_says_whom_it_waits_for(tmp_path: Path) -> None:
    write_log(tmp_path / "logs", [make_record(i) for i in range(3)])
    data_dir = DataDir(tmp_path / "store").ensure()
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, str(data_dir.write_lock)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
    ingest = subprocess.Popen(
        [*CLI, "--data-dir", str(data_dir.root), "ingest", "--no-detect", str(tmp_path / "logs")],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    lines: list[str] = []
    assert ingest.stderr is not None
    reader = threading.Thread(target=lambda: lines.extend(ingest.stderr or []), daemon=True)
    reader.start()
    deadline = time.monotonic() + 60
    while not any("waiting for" in line for line in lines) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert ingest.poll() is None  # blocked, not failed
    assert holder.stdin is not None
    holder.stdin.close()  # release
    holder.wait(timeout=10)
    stdout, _ = ingest.communicate(timeout=60)
    reader.join(timeout=10)
    assert ingest.returncode == 0 and "Ingested 3 events" in stdout
    waiting = [line for line in lines if "waiting for" in line]
    assert waiting == [
        f"waiting for another trailhound process (pid {holder.pid}) to finish writing…\n"
    ]
