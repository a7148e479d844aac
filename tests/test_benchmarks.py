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
def test_ingest_curve(tmp_path: Path) -> None:
    output = _run(
        str(BENCH / "ingest.py"),
        *("--curve", "1000,2000", "--part-events", "1000", "--workdir", str(tmp_path)),
    )
    assert "curve (events/CPU-s relative to the smallest size):" in output
    assert "stages --no-detect" in output
    # The larger size is made of two parts of another seed each.
    assert sorted(p.name for p in (tmp_path / "logs-2000-7").iterdir()) == [
        ".complete",
        "part-0",
        "part-1",
    ]


@pytest.mark.bench
def test_ingest_progress_benchmark() -> None:
    output = _run(str(BENCH / "ingest_progress.py"), "--events", "2000", "--rounds", "1")
    assert "baseline, no progress" in output and "with progress" in output
    assert "0 progress calls" in output and "progress costs" in output


@pytest.mark.bench
def test_detect_benchmark(tmp_path: Path) -> None:
    output = _run(
        str(BENCH / "detect.py"), "--events", "2000", "--workdir", str(tmp_path),
        "--skip-ingest-overhead",
    )  # fmt: skip
    assert "(a) trailhound detect" in output and "(b) one scan per rule" in output
    assert "cross-check: same (rule, event) pairs: yes" in output and "alerts:" in output


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
    assert "attack-story alerts:" in output
    assert "cross-check: per-rule noise alerts agree with the state DB" in output


@pytest.mark.bench
def test_startup_benchmark(tmp_path: Path) -> None:
    output = _run(
        str(BENCH / "startup.py"), "--events", "300", "--runs", "1", "--workdir", str(tmp_path)
    )
    assert 'python -c "import duckdb"' in output and "trailhound --help" in output
    assert "trailhound query, first time (compiles)" in output and "median" in output
    assert "trailhound query, again (kept plan)" in output
    assert "cross-check: the kept plan's rows equal the compiled query's" in output


@pytest.mark.bench
def test_enrich_benchmark(tmp_path: Path) -> None:
    output = _run(str(BENCH / "enrich.py"), "--events", "3000", "--workdir", str(tmp_path))
    assert "without enrichment" in output and "enrichment costs" in output
    assert "intel update --tor" in output and "join skipped" in output


@pytest.mark.bench
def test_analytics_benchmark(tmp_path: Path) -> None:
    output = _run(
        str(BENCH / "analytics.py"), "--events", "3000", "--rounds", "1", "--workdir", str(tmp_path)
    )
    assert "without detection" in output and "measured inside the detector" in output
    assert "analytics train over" in output
    assert "demo Tor story caught by analytics.tor_api_call: yes" in output


@pytest.mark.bench
def test_incidents_benchmark(tmp_path: Path) -> None:
    output = _run(str(BENCH / "incidents.py"), "--events", "3000", "--workdir", str(tmp_path))
    assert "(a) ingest + detection, no incidents (baseline)" in output
    assert "(d) hunt + incidents" in output and "graph of in-" in output


@pytest.mark.bench
def test_api_benchmark(tmp_path: Path) -> None:
    output = _run(
        str(BENCH / "api.py"),
        "--events", "300", "--pushers", "4", "--queriers", "1", "--seconds", "120",
        "--workdir", str(tmp_path),
    )  # fmt: skip
    assert "req/s" in output and "p99" in output and "baseline trailhound ingest path" in output
    assert "every event stored exactly once" in output and "errors 0" in output


@pytest.mark.bench
def test_console_benchmark(tmp_path: Path) -> None:
    output = _run(
        str(BENCH / "console.py"), "--events", "2000", "--repeat", "1", "--workdir", str(tmp_path)
    )
    for page in ("search", "incidents (", "incident ", "graph.json"):
        assert page in output
    assert "app.list_incidents" in output and "own cost" in output
