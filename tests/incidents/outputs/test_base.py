"""The output extension point: a third party's output gets alerts exactly as the built-in does."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import orjson
import pytest

from tests.conftest import install_plugin
from trailhound.data_dir import DataDir
from trailhound.errors import IncidentError
from trailhound.incidents.alerts import AlertStore
from trailhound.incidents.outputs.base import (
    OUTPUTS,
    Output,
    build_output,
    configured_outputs,
    output_setting,
)
from trailhound.incidents.outputs.jsonl import JsonLinesOutput
from trailhound.model import Match, RuleInfo
from trailhound.registry import Registry
from trailhound.store.state import StateDB

# A third party's output, as its own distribution would ship it: one file per alert.
THIRD_PARTY = """
import json


class FilePerAlert:
    name = "per-alert"

    def __init__(self, target, *, data_dir):
        self.folder = data_dir.root / target

    def send(self, alerts):
        self.folder.mkdir(exist_ok=True)
        for alert in alerts:
            body = {"id": alert["id"], "rule": alert["rule_id"], "count": alert["count"]}
            (self.folder / (alert["id"] + ".json")).write_text(json.dumps(body))
"""
MATCH = Match("r1", "e1", datetime(2026, 8, 1, tzinfo=UTC), "alice", "111111111111", "us-east-1",
              None, None)  # fmt: skip
RULES = {"r1": RuleInfo("Rule one", "high")}


def test_a_third_party_output_gets_alerts_like_the_built_in(
    data_dir: DataDir, plugin_site: Path
) -> None:
    install_plugin(
        plugin_site,
        "thirdparty_output",
        THIRD_PARTY,
        {"trailhound.outputs": {"per-alert": "thirdparty_output:FilePerAlert"}},
    )
    registry: Registry[type[Output]] = Registry("output", group=OUTPUTS.group)
    assert registry.names() == ["jsonl", "per-alert", "webhook"]
    state = StateDB(data_dir.state_db)
    state.set_setting("output.per-alert", "alerts-out")
    state.set_setting("output.jsonl", "alerts.jsonl")
    store = AlertStore.for_data_dir(data_dir, registry)
    assert [o.name for o in store.outputs] == ["jsonl", "per-alert"]
    [alert] = store.record([MATCH], RULES).changed
    written = orjson.loads((data_dir.root / "alerts-out" / f"{alert['id']}.json").read_bytes())
    assert written == {"id": alert["id"], "rule": "r1", "count": 1}
    [line] = (data_dir.root / "alerts.jsonl").read_bytes().splitlines()
    assert orjson.loads(line)["id"] == alert["id"]


def test_settings_name_the_outputs(data_dir: DataDir) -> None:
    assert output_setting("output.jsonl") == "jsonl"
    assert output_setting("output.") is None and output_setting("retro-hunt") is None
    assert isinstance(build_output("jsonl", "a.jsonl", data_dir), JsonLinesOutput)
    with pytest.raises(IncidentError, match=r"no output named 'jsnl'.*did you mean 'jsonl'"):
        build_output("jsnl", "a.jsonl", data_dir)


def test_an_output_that_no_longer_works_is_left_out(
    data_dir: DataDir, caplog: pytest.LogCaptureFixture
) -> None:
    state = StateDB(data_dir.state_db)
    state.set_setting("output.jsonl", "alerts.jsonl")
    state.set_setting("output.gone", "somewhere")  # a plug-in uninstalled since
    state.set_setting("output.off", "")  # switched off: not even looked up
    assert [o.name for o in configured_outputs(data_dir, state)] == ["jsonl"]
    assert "alert output gone left out" in caplog.text and "'off'" not in caplog.text
