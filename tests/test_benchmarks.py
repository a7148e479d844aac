"""The benchmarks still run (at a small size: their figures are read by people, not asserted)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[1] / "bench"


def _run(*args: str) -> str:
    result = subprocess.run(
        [sys.executable, *args], capture_output=True, text=True, timeout=300, check=False
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


@pytest.mark.bench
def test_ingest_benchmark(tmp_path: Path) -> None:
    output = _run(str(BENCH / "ingest.py"), "--events", "3000", "--workdir", str(tmp_path))
    assert "(a) trailhound ingest --no-detect" in output and "events/s" in output
    assert "trailhound/baseline" in output and "query 'count all'" in output
    assert "open the query engine" in output


@pytest.mark.bench
def test_detect_benchmark() -> None:
    output = _run(str(BENCH / "detect.py"), "--events", "5000")
    assert "one scan" in output and "ratio" in output


@pytest.mark.bench
@pytest.mark.aws
def test_collect_benchmark() -> None:
    output = _run(str(BENCH / "collect.py"), "--objects", "6", "--events", "200", "--workers", "1")
    assert "collector, 1 thread(s)" in output


@pytest.mark.bench
def test_noise_benchmark(tmp_path: Path) -> None:
    output = _run(str(BENCH / "noise.py"), "--events", "3000", "--workdir", str(tmp_path))
    assert "benign events:" in output
    assert "total high:" in output and "alerts per million benign events" in output
