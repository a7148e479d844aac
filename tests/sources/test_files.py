"""Discovering files: symbolic links never lead out of an input folder."""

from __future__ import annotations

import errno
from pathlib import Path

import pytest

from tests.conftest import make_record, write_log
from trailhound.data_dir import DataDir
from trailhound.ingest import Ingestor
from trailhound.model import InputFormat, SkipReason, SourceFile
from trailhound.sources.files import discover, in_delivery_order, read_file
from trailhound.store.engine import QueryEngine


def test_symlinks_inside_a_folder_are_skipped_and_counted(
    tmp_path: Path, data_dir: DataDir
) -> None:
    secret = tmp_path / "elsewhere" / "credentials.json"
    secret.parent.mkdir()
    secret.write_text('{"aws_secret_access_key": "do-not-copy-me"}')
    secret.chmod(0o600)
    logs = tmp_path / "logs"
    write_log(logs, [make_record(1)], name="real")
    (logs / "stolen.json").symlink_to(secret)
    (logs / "folder-link").symlink_to(secret.parent, target_is_directory=True)
    (logs / "dangling.json").symlink_to(tmp_path / "nowhere.json")
    found = list(discover([logs]))
    skipped = [item for item in found if isinstance(item, tuple)]
    assert sorted(path.name for path, reason in skipped if reason is SkipReason.SYMLINK) == [
        "dangling.json",
        "folder-link",
        "stolen.json",
    ]
    assert [f.path.name for f in found if isinstance(f, SourceFile)] == [
        "111122223333_CloudTrail_us-east-1_20261101T1000Z_real.json.gz"
    ]
    with Ingestor(data_dir) as ingestor:
        summary = ingestor.ingest_paths([logs])
    assert summary.events_written == 1 and summary.files_skipped["symbolic link"] == 3
    with QueryEngine(data_dir) as engine:
        stored = engine.execute(
            "SELECT excerpt FROM quarantine UNION ALL SELECT raw FROM cloudtrail"
        )
    assert not any("do-not-copy-me" in str(row) for row in stored[1])


def test_a_link_named_explicitly_is_read(tmp_path: Path) -> None:
    target = write_log(tmp_path / "logs", [make_record(1)], name="t")
    link = tmp_path / "link.json.gz"
    link.symlink_to(target)
    [found] = list(discover([link]))
    assert isinstance(found, SourceFile) and found.uri == str(link)
    assert read_file(found.path, 1 << 20) == target.read_bytes()


def test_read_file_follows_no_link_and_reads_at_most_one_byte_past_the_limit(
    tmp_path: Path,
) -> None:
    file = tmp_path / "f.json"
    file.write_bytes(b"x" * 100)
    assert read_file(file, 10) == b"x" * 11
    link = tmp_path / "l.json"
    link.symlink_to(file)
    with pytest.raises(OSError) as raised:
        read_file(link, 10)
    assert raised.value.errno == errno.ELOOP


def test_a_file_replaced_by_a_link_after_discovery_is_not_followed(
    tmp_path: Path, data_dir: DataDir
) -> None:
    secret = tmp_path / "secret.json"
    secret.write_text('{"Records": [{"eventName": "do-not-copy-me"}]}')
    logs = tmp_path / "logs"
    fast = write_log(logs, [make_record(1)], name="fast")
    careful = write_log(logs, [make_record(2)], name="careful", kind="Export")
    found = [f for f in discover([logs]) if isinstance(f, SourceFile)]
    for path in (fast, careful):
        path.unlink()
        path.symlink_to(secret)
    with Ingestor(data_dir) as ingestor:
        summary = ingestor.ingest_files(found)
    assert (summary.events_written, summary.quarantined) == (0, 2)
    with QueryEngine(data_dir) as engine:
        rows = engine.execute("SELECT reason, excerpt FROM quarantine")[1]
    assert {r for r, _ in rows} == {"is a symbolic link: not followed"}
    assert not any("do-not-copy-me" in str(e) for _, e in rows)


def test_files_are_batched_in_delivery_order_across_regions() -> None:
    def log(region: str, stamp: str, account: str = "111122223333") -> SourceFile:
        uri = (
            f"AWSLogs/{account}/CloudTrail/{region}/2026/11/01/"
            f"{account}_CloudTrail_{region}_{stamp}_x.json.gz"
        )
        return SourceFile(uri, Path(uri), 1, 0.0, InputFormat.CLOUDTRAIL_FILE)

    files = [
        log("eu-west-1", "20261101T0900Z"),
        log("eu-west-1", "20261102T0900Z"),
        log("us-east-1", "20261101T1000Z"),
        log("us-east-1", "20261101T0800Z", account="000011112222"),
        SourceFile(
            "exports/events.jsonl", Path("exports/events.jsonl"), 1, 0.0, InputFormat.JSON_LINES
        ),
        log("us-east-1", "20261102T0800Z"),
    ]
    ordered = in_delivery_order(files)
    assert [files.index(f) for f in ordered] == [3, 0, 2, 5, 1, 4]
