"""The collector's download folders: private files, confined paths, crash left-overs removed."""

from __future__ import annotations

import os
import stat
import time
from pathlib import Path

import pytest

from trailhound.data_dir import DataDir
from trailhound.sources.aws.downloads import (
    DownloadArea,
    PathConfinementError,
    clean_leftovers,
    confined,
    leftover_files,
    safe_name,
)


def test_safe_names_keep_the_suffix_and_nothing_a_glob_or_a_path_reads() -> None:
    assert safe_name("AWSLogs/1/x_CloudTrail_us-east-1_a.json.gz") == (
        "x_CloudTrail_us-east-1_a.json.gz"
    )
    assert safe_name("a/b/*[x]?{y}") == "__x___y_"
    assert safe_name("a/..") == "object"
    assert safe_name("a\\b\\..\\c.json") == "c.json"
    long = safe_name("x" * 500 + ".json.gz")
    assert len(long) == 100 and long.endswith(".json.gz")


@pytest.mark.parametrize("part", ["..", ".", "", "a/b", "a\\b", "a\x00b", "x" * 256])
def test_confined_refuses_anything_but_one_plain_name(tmp_path: Path, part: str) -> None:
    with pytest.raises(PathConfinementError):
        confined(tmp_path, "bucket", part)


def test_confined_refuses_a_link_leading_outside(tmp_path: Path) -> None:
    root = tmp_path / "digests"
    root.mkdir()
    (root / "bucket").symlink_to(tmp_path / "elsewhere", target_is_directory=True)
    with pytest.raises(PathConfinementError, match="outside"):
        confined(root, "bucket", "f.json")
    assert confined(root, "other", "f.json") == root.resolve() / "other" / "f.json"


def test_temporary_files_are_private_and_removed_on_close(data_dir: DataDir) -> None:
    area = DownloadArea(data_dir).open()
    handle, path = area.temporary("AWSLogs/1/../../../etc/passwd")
    with handle:
        handle.write(b"x")
    assert path.parent == area.folder and path.name.endswith("-passwd")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(area.root.stat().st_mode) == 0o700
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert leftover_files(area.root) == [path]
    area.close()
    assert not path.exists() and leftover_files(area.root) == []


def test_start_up_removes_what_dead_collectors_left_but_not_live_ones(data_dir: DataDir) -> None:
    live = DownloadArea(data_dir).open()  # another collector, running
    handle, in_flight = live.temporary("k.json.gz")
    handle.close()
    root = live.root
    crashed = root / "run-crashed"  # its lock file is there, but nobody holds it
    crashed.mkdir()
    (crashed / ".lock").touch()
    (crashed / "a.json.gz").write_bytes(b"old")
    half = root / "run-half"  # died before taking its lock, long ago
    half.mkdir()
    (half / "b.json.gz").write_bytes(b"old")
    os.utime(half, (time.time() - 3600, time.time() - 3600))
    starting = root / "run-starting"  # is taking its lock right now
    starting.mkdir()
    (root / "loose.json.gz").write_bytes(b"older layout")
    outside = data_dir.root / "keep.txt"
    outside.write_text("x")
    (root / "link").symlink_to(outside)

    DownloadArea(data_dir).open().close()

    assert in_flight.exists()
    assert not crashed.exists() and not half.exists()
    assert starting.exists()
    assert not (root / "loose.json.gz").exists() and not (root / "link").exists()
    assert outside.read_text() == "x"  # the link was removed, not followed
    live.close()
    assert clean_leftovers(root) == 0  # "starting" holds no file
