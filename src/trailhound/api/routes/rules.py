"""Rules: list (with load problems), enable or disable, and upload a Sigma rule.

An uploaded rule is checked the way the loader checks the pack: a file that does not load or
compile is refused with a 422 listing each problem with its line; one whose ID is taken by
another rule is a 409. An accepted rule is kept in the data directory's ``rules`` folder, which
every front door's detection loads beside the built-in pack.
"""

from __future__ import annotations

import re
import uuid
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Body, Depends
from fastapi import Path as PathParam

from trailhound.api.auth import Analyst, Caller, Viewer
from trailhound.api.deps import Product, product
from trailhound.api.encoding import JsonAnswer
from trailhound.api.problems import Problem

router = APIRouter(prefix="/rules", tags=["rules"])
_RULE_ID = r"^[A-Za-z0-9._:-]{1,128}$"
_FILE_SAFE = re.compile(r"[^A-Za-z0-9._-]")
MAX_RULE_BYTES = 256 * 1024


def _rule_view(rule: Any, disabled: set[str]) -> dict[str, Any]:
    return {
        "id": rule.id,
        "title": rule.title,
        "level": rule.level,
        "tactics": list(rule.tactics),
        "techniques": list(rule.techniques),
        "builtin": rule.builtin,
        "enabled": rule.id not in disabled,
        "kind": "correlation" if hasattr(rule, "rule_ids") else "rule",
    }


@router.get("", response_class=JsonAnswer, summary="List rules")
def list_rules(caller: Caller = Viewer, found: Product = Depends(product)) -> JsonAnswer:  # noqa: B008
    """Every rule that alerts, enabled or not, and the rules that could not be loaded."""
    ruleset = found.ruleset()
    with found.state.connect() as con:
        disabled = {
            r for (r,) in con.execute("SELECT rule_id FROM rule_state WHERE NOT enabled").fetchall()
        }
    rules = [_rule_view(r, disabled) for r in ruleset.rules if r.generate]
    rules += [_rule_view(c, disabled) for c in ruleset.correlations]
    problems = [
        {"path": Path(p.path).name, "line": p.line, "reason": p.reason} for p in ruleset.problems
    ]
    return JsonAnswer({"rules": rules, "problems": problems})


def _set_enabled(found: Product, rule_id: str, enabled: bool) -> dict[str, Any]:
    from trailhound.detect.rules_detector import SigmaDetector

    detection = found.detection()
    sigma = detection.detector(SigmaDetector.name)
    if not isinstance(sigma, SigmaDetector):
        raise Problem(409, "the rule detector is not the built-in one")
    sigma.set_enabled(rule_id, enabled)
    raised = detection.raise_matches(sigma, sigma.retro_hunt()) if enabled else []
    found.rules_changed()
    return {"id": rule_id, "enabled": enabled, "retro_hunt_alerts": len(raised)}


@router.post("/{rule_id}/enable", response_class=JsonAnswer, summary="Enable a rule")
def enable_rule(
    rule_id: str = PathParam(pattern=_RULE_ID),
    caller: Caller = Analyst,
    found: Product = Depends(product),  # noqa: B008
) -> JsonAnswer:
    """Enable a rule and retro-hunt with it over the look-back window."""
    return JsonAnswer(_set_enabled(found, rule_id, True))


@router.post("/{rule_id}/disable", response_class=JsonAnswer, summary="Disable a rule")
def disable_rule(
    rule_id: str = PathParam(pattern=_RULE_ID),
    caller: Caller = Analyst,
    found: Product = Depends(product),  # noqa: B008
) -> JsonAnswer:
    """Disable a rule."""
    return JsonAnswer(_set_enabled(found, rule_id, False))


@router.post(
    "",
    response_class=JsonAnswer,
    status_code=201,
    summary="Upload a Sigma rule",
    openapi_extra={
        "requestBody": {"content": {"application/yaml": {"schema": {"type": "string"}}}}
    },
)
def upload_rule(
    text: str = Body(..., media_type="application/yaml", max_length=MAX_RULE_BYTES),
    caller: Caller = Analyst,
    found: Product = Depends(product),  # noqa: B008
) -> JsonAnswer:
    """Check a Sigma rule file (YAML) and add it to the data directory's rules."""
    from trailhound.detect.sigma.loader import SigmaFormat

    data_dir = found.data_dir
    data_dir.tmp.mkdir(mode=0o700, parents=True, exist_ok=True)
    candidate = data_dir.tmp / f"upload-{uuid.uuid4().hex}.yml"
    candidate.write_text(text, encoding="utf-8")
    try:
        loaded = SigmaFormat().load_file(candidate)
    finally:
        candidate.unlink(missing_ok=True)
    if loaded.problems:
        errors = [{"line": p.line, "reason": p.reason} for p in loaded.problems]
        raise Problem(
            422,
            "the rule does not load: "
            + "; ".join(
                f"line {e['line']}: {e['reason']}" if e["line"] else str(e["reason"])
                for e in errors
            ),
            kind="invalid-rule",
            errors=errors,
        )
    ids = [r.id for r in loaded.rules] + [c.id for c in loaded.correlations]
    if not ids:
        raise Problem(422, "the file holds no rule", kind="invalid-rule", errors=[])
    name = _FILE_SAFE.sub("_", ids[0]) + ".yml"
    target = data_dir.rules / name
    existing = found.ruleset()
    mine = {r.id for r in existing.rules if r.path == str(target)}
    mine |= {c.id for c in existing.correlations if c.path == str(target)}
    taken = {r.id for r in existing.rules} | {c.id for c in existing.correlations}
    clash = sorted((set(ids) & taken) - mine)
    if clash:
        raise Problem(409, f"rule ID already in use: {', '.join(clash)}", kind="rule-exists")
    data_dir.rules.mkdir(mode=0o700, exist_ok=True)
    staged = data_dir.tmp / f"{name}.{uuid.uuid4().hex}"
    staged.write_text(text, encoding="utf-8")
    staged.replace(target)  # whole or not at all: a loader never reads half a file
    found.rules_changed()
    return JsonAnswer({"ids": ids, "file": name}, status_code=201)
