"""The write lock: exclusive across processes, re-entrant within one, waits told."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from trailhound.errors import StoreError
from trailhound.store.lock import WriteLock, set_wait_notice

# Holds the lock until its standard input closes; says "held" once it has it.
HOLDER = (
    "import sys; from pathlib import Path; from trailhound.store.lock import WriteLock\n"
    "with WriteLock(Path(sys.argv[1])).hold():\n"
    "    print('held', flush=True); sys.stdin.read()\n"
)


def _hold_in_child(path: Path) -> subprocess.Popen[str]:
    child = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert child.stdout is not None and child.stdout.readline().strip() == "held"
    return child


def test_another_process_waits_and_is_told_whom_for(tmp_path: Path) -> None:
    path = tmp_path / "write.lock"
    child = _hold_in_child(path)
    told: list[int | None] = []
    set_wait_notice(told.append)
    try:
        with (
            pytest.raises(StoreError, match=rf"pid {child.pid}\) to finish writing"),
            WriteLock(path, timeout=0.3).hold(),
        ):
            pass
        assert told == [child.pid]  # once per wait, not once per poll
        acquired_at: list[float] = []

        def take() -> None:
            with WriteLock(path).hold():
                acquired_at.append(time.monotonic())

        waiter = threading.Thread(target=take)
        waiter.start()
        time.sleep(0.3)
        assert not acquired_at  # still waiting while the other process holds it
        released_at = time.monotonic()
        assert child.stdin is not None
        child.stdin.close()
        child.wait(timeout=10)
        waiter.join(timeout=10)
        assert acquired_at and acquired_at[0] >= released_at
    finally:
        set_wait_notice(None)
        child.kill()
        child.wait()


def test_the_lock_dies_with_its_holder(tmp_path: Path) -> None:
    path = tmp_path / "write.lock"
    child = _hold_in_child(path)
    child.kill()  # SIGKILL: no cleanup runs, the kernel drops the flock
    child.wait()
    with WriteLock(path, timeout=5).hold() as outermost:
        assert outermost
    assert path.read_text().strip().isdigit()  # the last holder's pid, for the next waiter


def test_re_entrant_in_a_process_and_threads_take_turns(tmp_path: Path) -> None:
    lock = WriteLock(tmp_path / "write.lock")
    other = WriteLock(tmp_path / "." / "write.lock")  # same file, spelled differently
    with lock.hold() as outer, other.hold() as inner:
        assert outer and not inner and lock.held()
        entered = threading.Event()

        def take() -> None:
            with lock.hold():
                entered.set()

        thread = threading.Thread(target=take)
        thread.start()
        assert not entered.wait(0.2)  # another thread of this process waits its turn
    thread.join(timeout=5)
    assert entered.is_set() and not lock.held()
