"""``trailhound analytics``: train, profile, list, findings; and the training setting."""

from __future__ import annotations

from pathlib import Path

import orjson

from tests.cli.conftest import run

ALICE = "arn:aws:iam::111122223333:user/alice"


def test_train_then_profile(store: Path) -> None:
    code, output = run(store, "analytics", "train", "--since", "3650d")
    assert code == 0, output
    assert "trained on 8 events" in output and "1 actor" in output and "1 access_key" in output
    code, output = run(store, "analytics", "profile", ALICE, "--json")
    assert code == 0, output
    shown = orjson.loads(output)
    assert shown["events"] == 8 and shown["denied"] == 1
    assert [v["value"] for v in shown["facets"]["api"]] == [
        "iam.amazonaws.com:ListUsers",
        "iam.amazonaws.com:CreateAccessKey",
    ]
    assert [v["value"] for v in shown["facets"]["region"]] == ["us-east-1"]
    code, output = run(store, "analytics", "profile", "111122223333", "--scope", "account")
    assert code == 0 and "account 111122223333: 8 events" in output
    code, output = run(store, "analytics", "profile", "arn:aws:iam::111122223333:user/nobody")
    assert code == 1 and "no profile" in output
    code, output = run(store, "analytics", "profile", ALICE, "--scope", "planet")
    assert code == 2


def test_list_findings_and_the_training_setting(store: Path) -> None:
    code, output = run(store, "analytics", "list")
    assert code == 0 and "analytics.tor_api_call" in output and "T1552.005" in output
    code, output = run(store, "analytics", "findings")
    assert code == 0 and "analytics." not in output  # nothing unusual in eight plain events
    assert run(store, "config", "set", "analytics-training", "7d")[0] == 0
    assert run(store, "config", "set", "analytics-training", "soon")[0] == 2
