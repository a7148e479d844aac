"""Start-up: the command line imports only what a command uses (see bench/startup.py)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

# What no command but the ones that need it may pay for at start-up.
AWS_SIGMA_CRYPTO = ("boto3", "botocore", "sigma", "cryptography")
# Nor may --help (or importing the package) start the query machinery.
QUERY_MACHINERY = ("duckdb", "pyarrow", "sqlglot", "yaml", "trailhound_demo")
# Nor may any of them pay for the web stack (pydantic validation alone costs a tenth of a second).
WEB = ("pydantic", "fastapi", "starlette", "jinja2", "uvicorn")

PROBE = """
import sys
sys.argv = ["trailhound", *sys.argv[1:]]
from trailhound.cli import app
before = set(sys.modules)
if len(sys.argv) > 1:
    try:
        app()
    except SystemExit as done:
        assert not done.code, done.code
print(" ".join(sorted({m.split(".")[0] for m in sys.modules})))
print(" ".join(sorted({m.split(".")[0] for m in before})))
"""


def _top_level_modules(*args: str) -> tuple[set[str], set[str]]:
    """The top-level modules loaded after running ``trailhound ARGS``, and after the import."""
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *args], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr[-2000:]
    after, imported = done.stdout.strip().splitlines()[-2:]
    return set(after.split()), set(imported.split())


def test_importing_the_command_line_loads_no_heavy_library() -> None:
    _, imported = _top_level_modules()
    assert "typer" in imported  # the probe sees what it should
    heavy = {*AWS_SIGMA_CRYPTO, *QUERY_MACHINERY, *WEB}
    assert imported.isdisjoint(heavy), imported & heavy


def test_help_and_a_query_load_only_what_they_use(tmp_path: Path) -> None:
    helped, _ = _top_level_modules("--help")
    assert helped.isdisjoint(AWS_SIGMA_CRYPTO + QUERY_MACHINERY + WEB)
    queried, _ = _top_level_modules(
        "--data-dir", str(tmp_path), "query", "dataset = cloudtrail | comp count() as n"
    )
    assert {"duckdb", "sqlglot"} <= queried  # it did run the query
    assert queried.isdisjoint((*AWS_SIGMA_CRYPTO, *WEB, "pyarrow", "yaml", "trailhound_demo"))
