"""The enrichment table through ingest and query: new addresses per batch, rebuilds on new lists."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.conftest import make_record, write_log
from trailhound.data_dir import DataDir
from trailhound.errors import IntelError
from trailhound.ingest import IngestOptions, Ingestor
from trailhound.intel.enrichment import IpEnricher, rebuild_enrichment, update_lists
from trailhound.intel.versions import (
    RETRO_HUNT_SETTING,
    active_versions,
    intel_changes_since,
    retro_hunt_look_back,
    shipped_version,
)
from trailhound.store.engine import QueryEngine
from trailhound.store.enrichment import PENDING, EnrichmentFiles
from trailhound.store.state import StateDB

ADDRESSES = ("185.220.101.1", "8.8.8.8", "10.1.2.3", "ec2.amazonaws.com", "2600:1f18::1")


def _ingest(
    data_dir: DataDir, root: Path, addresses: tuple[str, ...], start: int, name: str
) -> None:
    records = [make_record(start + i, sourceIPAddress=a) for i, a in enumerate(addresses)]
    write_log(root, records, name=name)
    with Ingestor(data_dir) as ingestor:
        ingestor.ingest_paths([root])


def _fields(data_dir: DataDir) -> dict[str, tuple[object, ...]]:
    with QueryEngine(data_dir) as engine:
        _, rows = engine.execute(
            "SELECT source_ip_address, src_country, src_asn, src_is_tor, src_in_aws "
            "FROM cloudtrail ORDER BY event_id"
        )
    return {r[0]: r[1:] for r in rows}


def test_ingest_enriches_every_source_and_later_batches_add_theirs(
    data_dir: DataDir, tmp_path: Path
) -> None:
    _ingest(data_dir, tmp_path / "a", ADDRESSES, 0, "a")
    fields = _fields(data_dir)
    assert fields == {
        "185.220.101.1": ("DE", 60729, True, False),
        "8.8.8.8": ("US", 15169, False, False),
        "10.1.2.3": (None, None, False, None),
        "ec2.amazonaws.com": (None, None, None, True),
        "2600:1f18::1": ("US", 14618, False, True),
    }
    generation, files = EnrichmentFiles(data_dir).snapshot()
    assert generation is not None and len(files) == 1
    _ingest(data_dir, tmp_path / "b", ("8.8.8.8", "3.248.0.1"), 100, "b")
    fields = _fields(data_dir)
    assert fields["3.248.0.1"] == ("IE", 16509, False, True)
    _, files = EnrichmentFiles(data_dir).snapshot()
    assert len(files) == 2  # one part for the one new address; 8.8.8.8 was known
    with QueryEngine(data_dir) as engine:
        _, rows = engine.execute("SELECT count(*) FROM cloudtrail")
    assert rows == [(7,)]  # the join never multiplies events


def test_a_replaced_tor_list_changes_old_answers_and_marks_the_change(
    data_dir: DataDir, tmp_path: Path
) -> None:
    _ingest(data_dir, tmp_path / "a", ADDRESSES, 0, "a")
    before = datetime.now(UTC)
    assert intel_changes_since(data_dir, before) == []
    new_list = tmp_path / "tor.txt"
    new_list.write_text("# our own list\n8.8.8.8\n")
    (installed,) = update_lists(data_dir, {"tor": new_list})
    fields = _fields(data_dir)
    assert fields["8.8.8.8"][2] is True and fields["185.220.101.1"][2] is False
    (change,) = intel_changes_since(data_dir, before)
    assert (change.list_name, change.version) == ("tor", installed.version)
    assert change.previous == shipped_version("tor").version
    assert active_versions(StateDB(data_dir.state_db))["tor"].version == installed.version
    assert change.hunt_since == change.changed_at - timedelta(days=7)
    StateDB(data_dir.state_db).set_setting(RETRO_HUNT_SETTING, "36h")
    (change,) = intel_changes_since(data_dir, before)
    assert change.look_back == timedelta(hours=36)
    # the same file again is no change; going back to the shipped list is one
    update_lists(data_dir, {"tor": new_list})
    update_lists(data_dir, {"tor": None})
    changes = intel_changes_since(data_dir, before)
    assert [(c.list_name, c.previous, c.version) for c in changes] == [
        ("tor", shipped_version("tor").version, installed.version),
        ("tor", installed.version, shipped_version("tor").version),
    ]
    assert _fields(data_dir)["185.220.101.1"][2] is True
    assert intel_changes_since(data_dir, before, lists=("country",)) == []


def test_the_retro_hunt_setting_is_a_duration(data_dir: DataDir) -> None:
    state = StateDB(data_dir.state_db)
    assert retro_hunt_look_back(state) == timedelta(days=7)
    state.set_setting(RETRO_HUNT_SETTING, "2w")
    assert retro_hunt_look_back(state) == timedelta(weeks=2)
    state.set_setting(RETRO_HUNT_SETTING, "off")
    assert retro_hunt_look_back(state) == timedelta(0)
    state.set_setting(RETRO_HUNT_SETTING, "soon")
    with pytest.raises(IntelError, match=RETRO_HUNT_SETTING):
        retro_hunt_look_back(state)


def test_an_ingest_rebuilds_a_table_built_with_other_lists(
    data_dir: DataDir, tmp_path: Path
) -> None:
    """Another process replaced a list while this ingest was open: the next batch sees it."""
    root = tmp_path / "logs"
    with Ingestor(data_dir) as ingestor:
        write_log(root, [make_record(0, sourceIPAddress="8.8.8.8")], name="a")
        ingestor.ingest_paths([root])
        new_list = tmp_path / "tor.txt"
        new_list.write_text("8.8.8.8\n")
        update_lists(data_dir, {"tor": new_list})
        write_log(root, [make_record(1, sourceIPAddress="1.1.1.1")], name="b")
        ingestor.ingest_paths([root])
    fields = _fields(data_dir)
    assert fields["8.8.8.8"][2] is True and fields["1.1.1.1"][2] is False


def test_a_table_marked_stale_is_rebuilt_by_the_next_batch(
    data_dir: DataDir, tmp_path: Path
) -> None:
    _ingest(data_dir, tmp_path / "a", ("8.8.8.8",), 0, "a")
    files = EnrichmentFiles(data_dir)
    with files.lock.hold():
        files.mark_stale()
    generation = files.current()
    assert generation is not None and generation.intel_version == "stale"
    _ingest(data_dir, tmp_path / "b", ("1.1.1.1",), 10, "b")
    generation = files.current()
    assert generation is not None and generation.intel_version != "stale"
    assert set(_fields(data_dir)) == {"8.8.8.8", "1.1.1.1"}


def test_rebuild_covers_a_lake_written_before_enrichment_existed(
    data_dir: DataDir, tmp_path: Path
) -> None:
    _ingest(data_dir, tmp_path / "a", ADDRESSES, 0, "a")
    EnrichmentFiles(data_dir).root.joinpath("CURRENT").unlink()  # as an older release left it
    assert _fields(data_dir)["8.8.8.8"] == (None, None, None, None)
    summary = rebuild_enrichment(data_dir)
    assert summary.addresses == len(ADDRESSES)
    assert _fields(data_dir)["8.8.8.8"] == ("US", 15169, False, False)


def test_the_enricher_merges_its_parts(
    data_dir: DataDir, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("trailhound.store.enrichment.MAX_PARTS", 2)
    for n in range(4):
        _ingest(data_dir, tmp_path / f"l{n}", (f"8.8.8.{n}",), n * 10, f"n{n}")
    _, files = EnrichmentFiles(data_dir).snapshot()
    assert len(files) <= 2
    assert set(_fields(data_dir)) == {f"8.8.8.{n}" for n in range(4)}


def test_a_missing_installed_list_is_reported(data_dir: DataDir, tmp_path: Path) -> None:
    new_list = tmp_path / "tor.txt"
    new_list.write_text("8.8.8.8\n")
    (installed,) = update_lists(data_dir, {"tor": new_list})
    (data_dir.intel / f"tor-{installed.version}.parquet").unlink()
    with pytest.raises(IntelError, match="install it again"):
        IpEnricher(data_dir).rebuild()


TOR_RULE = """
title: API call from a Tor exit (test)
id: 6d0f3b8e-3c4a-4b7e-9f61-1a2b3c4d5e6f
status: test
logsource: {product: aws, service: cloudtrail}
detection:
  tor:
    src_is_tor: 'true'
  condition: tor
level: high
"""


def test_a_sigma_rule_on_src_is_tor_fires_on_batches_and_in_hunts(
    data_dir: DataDir, tmp_path: Path
) -> None:
    from trailhound.detect.detection import Detection
    from trailhound.incidents.alerts import AlertStore

    def tor_alerts(data_dir: DataDir) -> list[dict[str, object]]:
        listed = AlertStore(StateDB(data_dir.state_db)).list_alerts(limit=1000)
        return [a for a in listed if a["rule_id"] == "6d0f3b8e-3c4a-4b7e-9f61-1a2b3c4d5e6f"]

    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "tor.yml").write_text(TOR_RULE)
    records = [make_record(i, sourceIPAddress=a) for i, a in enumerate(ADDRESSES)]
    write_log(tmp_path / "logs", records)
    streaming = Detection(data_dir, AlertStore.for_data_dir(data_dir), rule_dirs=[rules])
    with Ingestor(data_dir, detection=streaming) as ingestor:
        ingestor.ingest_paths([tmp_path / "logs"])
    streamed = tor_alerts(data_dir)
    assert len(streamed) == 1 and streamed[0]["source_ips"] == ["185.220.101.1"]
    hunted = DataDir(tmp_path / "hunted")
    with Ingestor(hunted) as ingestor:
        ingestor.ingest_paths([tmp_path / "logs"])
    alerts = Detection(hunted, AlertStore.for_data_dir(hunted), rule_dirs=[rules]).hunt(None)
    tor = [a for a in alerts if a["rule_id"] == "6d0f3b8e-3c4a-4b7e-9f61-1a2b3c4d5e6f"]
    assert len(tor) == 1 and tor[0]["source_ips"] == ["185.220.101.1"]
    assert tor_alerts(hunted) == tor


def test_a_new_shipped_tor_list_is_an_intel_change(
    data_dir: DataDir, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A release that ships a newer Tor list: the next ingest rebuilds and leaves a marker."""
    from trailhound.intel import versions

    _ingest(data_dir, tmp_path / "a", ("8.8.8.8",), 0, "a")
    since = datetime.now(UTC)
    newer = tmp_path / "tor-exit-addresses.txt"
    newer.write_text("# exits of 2027-01-01\n8.8.8.8\n")
    original = versions.shipped_path

    def shipped(name: str) -> Path:
        return newer if name == "tor" else original(name)

    monkeypatch.setattr(versions, "shipped_path", shipped)
    versions.shipped_version.cache_clear()
    versions._shipped_compiled.cache_clear()
    try:
        _ingest(data_dir, tmp_path / "b", ("1.1.1.1",), 10, "b")
        (change,) = intel_changes_since(data_dir, since)
        assert (
            change.list_name == "tor" and change.version == versions.shipped_version("tor").version
        )
        assert _fields(data_dir)["8.8.8.8"][2] is True
    finally:
        versions.shipped_version.cache_clear()
        versions._shipped_compiled.cache_clear()


def test_an_ingest_without_detection_enriches_its_addresses_once_at_the_end(
    data_dir: DataDir, tmp_path: Path
) -> None:
    _ingest(data_dir, tmp_path / "a", ("8.8.8.8",), 0, "a")
    files = EnrichmentFiles(data_dir)
    built = files.current()
    assert built is not None
    root = tmp_path / "b"
    for n, address in enumerate(("1.1.1.1", "185.220.101.1", "8.8.8.8")):
        write_log(root, [make_record(10 + n, sourceIPAddress=address)], name=f"b{n}")
    seen: list[str] = []
    # One file per batch: three commits, each looks at the table's version as it writes.
    with Ingestor(data_dir, options=IngestOptions(batch_files=1, parallel_batches=1)) as ingestor:
        original = ingestor.enricher.defer_batch

        def defer(con: object, relation: str) -> None:
            original(con, relation)  # type: ignore[arg-type]
            current = files.current()
            seen.append(current.intel_version if current else "")

        ingestor.enricher.defer_batch = defer  # type: ignore[method-assign]
        summary = ingestor.ingest_paths([root])
    assert summary.events_written == 3
    # Held back while the run wrote (a dead run's mark makes the next writer rebuild) ...
    assert len(seen) == 3 and all(v.startswith(PENDING) for v in seen)
    # ... then the new addresses at once, in one part, under the version in force again.
    generation, parts = files.snapshot()
    assert generation is not None and generation.intel_version == built.intel_version
    assert len(parts) == 2
    fields = _fields(data_dir)
    assert fields["1.1.1.1"] == ("AU", 13335, False, False)
    assert fields["185.220.101.1"][2] is True


def test_a_run_that_died_before_enriching_leaves_the_table_rebuilt_by_the_next(
    data_dir: DataDir, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _ingest(data_dir, tmp_path / "a", ("8.8.8.8",), 0, "a")
    monkeypatch.setattr(IpEnricher, "flush_deferred", lambda self: 0)  # killed before it
    _ingest(data_dir, tmp_path / "b", ("1.1.1.1",), 10, "b")
    generation = EnrichmentFiles(data_dir).current()
    assert generation is not None and generation.intel_version.startswith(PENDING)
    assert _fields(data_dir)["1.1.1.1"] == (None, None, None, None)
    monkeypatch.undo()
    _ingest(data_dir, tmp_path / "c", ("9.9.9.9",), 20, "c")
    generation = EnrichmentFiles(data_dir).current()
    assert generation is not None and not generation.intel_version.startswith(PENDING)
    fields = _fields(data_dir)
    assert fields["1.1.1.1"] == ("AU", 13335, False, False)
    assert set(fields) == {"8.8.8.8", "1.1.1.1", "9.9.9.9"}
