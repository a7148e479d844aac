"""The demo's Tor story is caught by the Tor analytic even when the intruder's agent is ordinary."""

from __future__ import annotations

from pathlib import Path

import pytest

from trailhound.data_dir import DataDir
from trailhound.detect.detection import Detection
from trailhound.incidents.alerts import AlertStore
from trailhound.ingest import Ingestor
from trailhound.intel.enrichment import update_lists
from trailhound.store.duckdb import DuckDBBackend
from trailhound.store.state import StateDB
from trailhound_demo import stories
from trailhound_demo.generator import generate_demo
from trailhound_demo.intel import write_demo_tor_list

AGENT_RULE = "4050c947-bff1-58c8-8072-8a69925dd4b2"  # credential_scanner_user_agent.yml (Kali)
ORDINARY_AGENT = "aws-cli/2.15.0 Python/3.11.6 Linux/6.5.0 exe/x86_64.ubuntu.22 prompt/off"


def test_tor_story_with_an_ordinary_agent(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(stories, "INTRUDER_AGENT", ORDINARY_AGENT)
    summary = generate_demo(tmp_path / "logs", events=3_000, seed=7, workers=1)
    assert "tor-access" in summary.stories
    data_dir = DataDir(tmp_path / "store").ensure()
    update_lists(data_dir, {"tor": write_demo_tor_list(tmp_path / "tor.txt")})
    # Every registered detector (the rules and the analytics), as `trailhound ingest` wires them.
    detection = Detection(data_dir, AlertStore.for_data_dir(data_dir))
    with Ingestor(data_dir, detection=detection) as ingestor:
        ingestor.ingest_paths([tmp_path / "logs"])

    with DuckDBBackend.open(data_dir) as backend:
        tor_calls = backend.execute(
            "SELECT count(*), count(DISTINCT user_agent), bool_or(user_agent ILIKE '%kali%') "
            "FROM cloudtrail WHERE src_is_tor"
        ).rows
    assert tor_calls == [(6, 1, False)]  # the story's six calls, none with a telltale agent
    listed = AlertStore(StateDB(data_dir.state_db)).list_alerts(limit=1000)
    by_actor = [a for a in listed if (a["actor"] or "").endswith("user/svc-reporting")]
    rules = {a["rule_id"] for a in by_actor}
    assert AGENT_RULE not in rules  # the rule that caught the story by its agent has nothing
    [tor] = [a for a in by_actor if a["rule_id"] == "analytics.tor_api_call"]
    [failed] = [a for a in by_actor if a["rule_id"] == "analytics.tor_api_call.failed"]
    assert tor["source"] == "analytics" and tor["severity"] == "high"
    assert tor["count"] == 4 and failed["count"] == 2
    assert set(tor["source_ips"]) | set(failed["source_ips"]) <= set(stories.TOR_EXIT_ADDRESSES)
