"""Fixtures shared by the whole suite."""

from __future__ import annotations

import gzip
import importlib
import importlib.util
import os
import shutil
import textwrap
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson
import pytest

from trailhound.data_dir import DataDir

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO.parent / "shared" / "data"
# In CI the shared material must be there: a test that needs it fails instead of skipping.
IN_CI = os.environ.get("CI", "").lower() == "true"


def pytest_sessionstart(session: pytest.Session) -> None:
    if IN_CI and not SHARED_DATA.is_dir():
        raise pytest.UsageError(
            f"CI=true but {SHARED_DATA} is absent: tests that need it would skip"
        )


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        default=False,
        help="rewrite golden files (query → SQL, Sigma rule → SQL) from the compilers' output",
    )


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # Under xdist (--dist loadgroup) every Spark test runs in one worker, so that a run starts
    # one JVM, not one per worker.
    for item in items:
        if item.get_closest_marker("spark"):
            item.add_marker(pytest.mark.xdist_group("spark"))


# The test session's Spark: fewer shuffle partitions for tiny data, and the JVM's quick
# compiler only (its start-up and the short queries here matter more than peak speed).
SPARK_TEST_SETTINGS = {
    "spark.sql.shuffle.partitions": "2",
    "spark.driver.extraJavaOptions": "-XX:TieredStopAtLevel=1",
}


@pytest.fixture(scope="session")
def spark() -> Iterator[SparkSession]:
    """One local Spark session for the whole run; tests marked ``spark`` share it."""
    if importlib.util.find_spec("pyspark") is None or shutil.which("java") is None:
        reason = "PySpark and Java 17 are needed: pip install -e '.[spark]'"
        if IN_CI:
            pytest.fail(f"CI=true but {reason}")
        pytest.skip(reason)
    from trailhound.store.spark import spark_session

    session = spark_session(settings=SPARK_TEST_SETTINGS)
    yield session
    session.stop()


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    """True when the run should rewrite golden files instead of comparing with them."""
    return bool(request.config.getoption("--update-golden", default=False))


def assert_golden(expected: Mapping[Path, str], update: bool) -> None:
    """Each golden file holds what the compiler now gives (``expected``: path → text).

    With ``--update-golden`` the files that differ are rewritten and the test fails, so that a
    refresh is always a reviewed diff and never a silent pass.
    """
    differ = [
        path for path, text in expected.items() if not path.exists() or path.read_text() != text
    ]
    names = [path.name for path in differ]
    if update and differ:
        for path in differ:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(expected[path])
        pytest.fail(f"rewrote {names}: review the diff, then run again without --update-golden")
    assert not differ, f"differs from {names}; refresh with --update-golden and review the diff"


@pytest.fixture
def shared_data() -> Path:
    """The real CloudTrail material in ../shared/data; skips where a clone has none."""
    if not SHARED_DATA.is_dir():
        if IN_CI:
            pytest.fail(f"CI=true but {SHARED_DATA} is absent")
        pytest.skip(f"{SHARED_DATA} is absent: real CloudTrail material lives beside the repo")
    return SHARED_DATA


@pytest.fixture
def data_dir(tmp_path: Path) -> DataDir:
    """An empty data directory."""
    return DataDir(tmp_path / "store").ensure()


@pytest.fixture
def plugin_site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder on ``sys.path`` where ``install_plugin`` puts a third party's distribution."""
    site = tmp_path / "site-packages"
    site.mkdir()
    monkeypatch.syspath_prepend(str(site))
    return site


def install_plugin(
    site: Path, module: str, source: str, entry_points: Mapping[str, Mapping[str, str]]
) -> None:
    """Install a third party's plug-in the way pip would: its module, and a distribution whose
    metadata declares ``entry_points`` (group → name → ``module:attribute``)."""
    (site / f"{module}.py").write_text(textwrap.dedent(source))
    info = site / f"{module.replace('_', '-')}-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {module}\nVersion: 0.1\n")
    sections = [
        f"[{group}]\n" + "".join(f"{name} = {target}\n" for name, target in items.items())
        for group, items in entry_points.items()
    ]
    (info / "entry_points.txt").write_text("\n".join(sections))
    importlib.invalidate_caches()


def make_record(n: int = 0, **overrides: Any) -> dict[str, Any]:
    """A plausible CloudTrail management event; fields overridable."""
    record: dict[str, Any] = {
        "eventVersion": "1.08",
        "userIdentity": {
            "type": "IAMUser",
            "principalId": "AIDAEXAMPLE",
            "arn": "arn:aws:iam::111122223333:user/alice",
            "accountId": "111122223333",
            "accessKeyId": "AKIAEXAMPLE",
            "userName": "alice",
        },
        "eventTime": f"2026-11-0{1 + n % 3}T10:{n % 60:02d}:00Z",
        "eventSource": "iam.amazonaws.com",
        "eventName": "ListUsers",
        "awsRegion": "us-east-1",
        "sourceIPAddress": "198.51.100.7",
        "userAgent": "aws-cli/2.15.0",
        "requestParameters": None,
        "responseElements": None,
        "requestID": f"req-{n}",
        "eventID": f"00000000-0000-4000-8000-{n:012d}",
        "readOnly": True,
        "eventType": "AwsApiCall",
        "managementEvent": True,
        "recipientAccountId": "111122223333",
        "eventCategory": "Management",
    }
    record.update(overrides)
    return record


def write_log(
    root: Path,
    records: Iterable[Any],
    *,
    account: str = "111122223333",
    region: str = "us-east-1",
    name: str = "0001",
    compress: bool = True,
    kind: str = "CloudTrail",
) -> Path:
    """Write records as a CloudTrail log file in S3 layout; returns its path."""
    folder = root / "AWSLogs" / account / kind / region / "2026" / "11" / "01"
    folder.mkdir(parents=True, exist_ok=True)
    suffix = ".json.gz" if compress else ".json"
    path = folder / f"{account}_{kind}_{region}_20261101T1000Z_{name}{suffix}"
    body = orjson.dumps({"Records": list(records)})
    path.write_bytes(gzip.compress(body) if compress else body)
    return path
