"""The incident store and ``trailhound incidents list|show|update``: triage, assignment, the
comment trail, and refusals."""

from __future__ import annotations

import orjson
import pytest
from typer.testing import CliRunner

from tests.incidents.incident_support import incidents, key_for, raise_alerts, stop_logging, user
from trailhound.cli import app
from trailhound.data_dir import DataDir
from trailhound.errors import IncidentError

BOB = user("bob", "AKIABOB0000000000001")
EVE = user("eve", "AKIAEVE0000000000001")


@pytest.fixture
def two(data_dir: DataDir) -> DataDir:
    """Two incidents: bob's two alerts, eve's one."""
    raise_alerts(
        data_dir,
        [stop_logging(BOB, 0), key_for(BOB, "x", "AKIAX000000000000001", 3), stop_logging(EVE, 9)],
    )
    return data_dir


def test_update_assign_comment_and_the_trail(two: DataDir) -> None:
    store = incidents(two)
    bobs = next(i for i in store.list() if i["alert_count"] == 2)
    assert bobs["score"] == 16 and bobs["severity"] == "medium"
    store.assign(bobs["id"], "dana", author="lead")
    store.comment(bobs["id"], "looking at the key", author="dana")
    done = store.update(bobs["id"][:8], status="resolved", author="dana")
    assert done["status"] == "resolved" and done["assignee"] == "dana"
    trail = [(c["author"], c["text"]) for c in done["comments"]]
    assert trail == [
        ("lead", "assigned to dana"),
        ("dana", "looking at the key"),
        ("dana", "status new → resolved"),
    ]
    seen = [a["first_seen"] for a in done["alerts"]]
    assert len(seen) == 2 and seen == sorted(seen)
    assert store.list(status="resolved") == [store.list(assignee="dana")[0]]
    unassigned = store.assign(bobs["id"], "")
    assert unassigned["assignee"] is None and unassigned["comments"][-1]["text"] == "unassigned"


def test_refusals(two: DataDir) -> None:
    store = incidents(two)
    some = store.list()[0]["id"]
    with pytest.raises(IncidentError, match="unknown status"):
        store.update(some, status="closed")
    with pytest.raises(IncidentError, match="no incident"):
        store.get("in-nope")
    with pytest.raises(IncidentError, match="ambiguous"):
        store.get("in-")
    with pytest.raises(IncidentError, match="empty comment"):
        store.comment(some, "  ")
    with pytest.raises(IncidentError, match="longer than"):
        store.comment(some, "x" * 20_000)
    assert store.get(some)["comments"] == [], "nothing refused was written"


def test_the_cli(two: DataDir) -> None:
    runner = CliRunner()
    args = ["--data-dir", str(two.root), "incidents"]
    listed = runner.invoke(app, [*args, "list", "--format", "json"])
    assert listed.exit_code == 0, listed.output
    rows = orjson.loads(listed.stdout)
    assert len(rows) == 2 and all("keys" not in r for r in rows)
    bobs = next(r for r in rows if r["alert_count"] == 2)
    table = runner.invoke(app, [*args, "list"])
    assert bobs["id"][:11] in table.stdout and bobs["title"] in table.stdout
    updated = runner.invoke(
        app, [*args, "update", bobs["id"], "--status", "in_progress", "--assignee", "dana"]
    )
    assert updated.exit_code == 0 and "in_progress, assigned to dana" in updated.stdout
    shown = runner.invoke(app, [*args, "show", bobs["id"], "--format", "json"])
    detail = orjson.loads(shown.stdout)
    assert detail["status"] == "in_progress" and len(detail["alerts"]) == 2
    assert [c["text"] for c in detail["comments"]] == [
        "status new → in_progress",
        "assigned to dana",
    ]
    text = runner.invoke(app, [*args, "show", bobs["id"]])
    assert "root_identity: arn:aws:iam::111111111111:user/bob" in text.stdout
    refused = runner.invoke(app, [*args, "update", bobs["id"], "--status", "done"])
    assert refused.exit_code != 0 and "unknown status" in refused.output
    only_new = runner.invoke(app, [*args, "list", "--status", "new", "--format", "json"])
    assert [r["id"] for r in orjson.loads(only_new.stdout)] != [bobs["id"]]
