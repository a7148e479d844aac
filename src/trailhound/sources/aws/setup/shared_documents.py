"""Add and remove our part of documents another owner's resource holds: policies and selectors.

An existing queue's policy and an existing trail's advanced event selectors are each written as a
whole (``SetQueueAttributes``, ``PutEventSelectors``), so setup reads the current document, adds
its own statement (found by its ``Sid``) or selectors (found by their ``Name``) beside the others
and writes the result; teardown takes out only its own, and writes nothing when they are not
there, so the resource is left exactly as it was.

CloudTrail takes either basic or advanced event selectors on a trail, not both: a trail with basic
selectors is refused (with the way out) rather than converted, as a teardown could not convert it
back.

The module uses only the standard library: the generated AWS CLI scripts carry its source and run
it with ``python3 shared_documents.py VERB …`` (see ``main``).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

NOTHING_TO_REMOVE = 1  # exit status: our part is not there, write nothing
REFUSED = 4  # exit status: the document cannot take our part; the reason is on stderr


class Refused(Exception):
    """The resource cannot take our part without changing what others rely on."""


def _policy(current: dict[str, Any]) -> dict[str, Any]:
    text = (current.get("Attributes") or {}).get("Policy") or ""
    document = json.loads(text) if text.strip() else {}
    if not isinstance(document, dict):
        raise Refused("the queue's policy is not a JSON object")
    statements = document.get("Statement", [])
    document["Statement"] = statements if isinstance(statements, list) else [statements]
    document.setdefault("Version", "2012-10-17")
    return document


def add_statement(current: dict[str, Any], statement: dict[str, Any]) -> dict[str, str]:
    """``SetQueueAttributes`` attributes: the policy with ``statement`` beside the others.

    ``current`` is ``GetQueueAttributes`` output; a statement with the same ``Sid`` is replaced.
    """
    document = _policy(current)
    others = [s for s in document["Statement"] if s.get("Sid") != statement["Sid"]]
    document["Statement"] = [*others, statement]
    return {"Policy": json.dumps(document)}


def remove_statement(current: dict[str, Any], sid: str) -> dict[str, str] | None:
    """The attributes without our statement (``""``: no statement left), or None if absent."""
    document = _policy(current)
    kept = [s for s in document["Statement"] if s.get("Sid") != sid]
    if len(kept) == len(document["Statement"]):
        return None
    if not kept:
        return {"Policy": ""}
    document["Statement"] = kept
    return {"Policy": json.dumps(document)}


def _advanced(current: dict[str, Any], trail: str) -> list[dict[str, Any]]:
    if current.get("EventSelectors"):
        raise Refused(
            f"trail {trail} uses basic event selectors, and CloudTrail takes basic or advanced "
            "ones, not both: nothing was changed. Switch the trail to advanced event selectors "
            "(CloudTrail console: the trail's event selectors, 'Switch to advanced event "
            "selectors'), or generate the setup without network activity selectors."
        )
    return list(current.get("AdvancedEventSelectors") or [])


def add_selectors(
    current: dict[str, Any], ours: list[dict[str, Any]], trail: str = "the trail"
) -> list[dict[str, Any]]:
    """The trail's advanced selectors with ``ours`` beside them (ours replaced by name)."""
    names = {s["Name"] for s in ours}
    return [s for s in _advanced(current, trail) if s.get("Name") not in names] + ours


def remove_selectors(current: dict[str, Any], marker: str) -> list[dict[str, Any]] | None:
    """The selectors without ours (names starting with ``marker``), or None when none is ours."""
    if current.get("EventSelectors"):
        return None  # setup refused such a trail: nothing of ours is there
    selectors = list(current.get("AdvancedEventSelectors") or [])
    kept = [s for s in selectors if not str(s.get("Name", "")).startswith(marker)]
    if len(kept) == len(selectors) or not kept:  # a trail needs a selector: leave the last
        return None
    return kept


def _read(path: str) -> dict[str, Any]:
    text = Path(path).read_text(encoding="utf-8").strip()
    document = json.loads(text) if text else {}
    return document if isinstance(document, dict) else {}


def main(argv: list[str]) -> int:
    """``policy-add|policy-remove|selectors-add|selectors-remove CURRENT ARG [TRAIL]``.

    ``policy-add CURRENT STATEMENT-FILE``, ``policy-remove CURRENT SID``,
    ``selectors-add CURRENT SELECTORS-FILE TRAIL``, ``selectors-remove CURRENT NAME-MARKER``:
    the new document on stdout; exit 1 when there is nothing to remove, 4 when refused.
    """
    verb, current = argv[0], _read(argv[1])
    result: Any
    try:
        if verb == "policy-add":
            result = add_statement(current, _read(argv[2]))
        elif verb == "policy-remove":
            result = remove_statement(current, argv[2])
        elif verb == "selectors-add":
            ours = json.loads(Path(argv[2]).read_text(encoding="utf-8"))
            result = add_selectors(current, ours, argv[3] if len(argv) > 3 else "the trail")
        elif verb == "selectors-remove":
            result = remove_selectors(current, argv[2])
        else:
            print(f"error: unknown verb {verb!r}", file=sys.stderr)
            return 2
    except (Refused, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return REFUSED
    if result is None:
        return NOTHING_TO_REMOVE
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
