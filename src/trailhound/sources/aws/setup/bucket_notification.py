"""Add trailhound's entry to a bucket's notification configuration beside what is there.

``PutBucketNotificationConfiguration`` replaces a bucket's whole configuration, so setup reads the
current one, keeps every other consumer's entry, replaces only its own (found by its ``Id``) and
writes the result; teardown removes only its own. When another entry already sends the log
files to the very queue (an existing queue the bucket feeds), nothing is added. S3 refuses two
entries whose event types and key filters overlap: then nothing is written, and the message
offers the routes that never conflict (EventBridge, or subscribing to the SNS topic the existing
entry notifies).

The module uses only the standard library: the generated AWS CLI scripts carry its source and
run it with ``python3`` (``python3 bucket_notification.py add|check|remove …``).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

LOG_PREFIX = "AWSLogs/"
CREATED = "s3:ObjectCreated:*"
KINDS = (
    ("QueueConfigurations", "QueueArn", "queue"),
    ("TopicConfigurations", "TopicArn", "SNS topic"),
    ("LambdaFunctionConfigurations", "LambdaFunctionArn", "Lambda function"),
)
EVENTBRIDGE = "EventBridgeConfiguration"


class NotificationConflict(Exception):
    """Another consumer's entry overlaps ours: S3 would refuse the configuration."""


def cleaned(current: dict[str, Any] | None) -> dict[str, Any]:
    """The configuration as ``PutBucketNotificationConfiguration`` takes it.

    Filter rule names are written in lower case, as S3 documents them (it reads back
    ``Prefix``, but not every implementation of the API takes that form in).
    """
    current = current or {}
    merged: dict[str, Any] = {}
    for kind, _, _ in KINDS:
        entries = [json.loads(json.dumps(e)) for e in current.get(kind) or []]
        for entry in entries:
            for rule in entry.get("Filter", {}).get("Key", {}).get("FilterRules", []):
                rule["Name"] = str(rule["Name"]).lower()
        if entries:
            merged[kind] = entries
    if current.get(EVENTBRIDGE) is not None:
        merged[EVENTBRIDGE] = current[EVENTBRIDGE]
    return merged


def filter_rules(entry: dict[str, Any]) -> dict[str, str]:
    """``{"prefix": …, "suffix": …}`` of an entry (S3 writes the names in either case)."""
    rules = entry.get("Filter", {}).get("Key", {}).get("FilterRules", [])
    return {str(r["Name"]).lower(): str(r["Value"]) for r in rules}


def _events_overlap(first: list[str], second: list[str]) -> bool:
    def covers(a: str, b: str) -> bool:
        return a == b or (a.endswith("*") and b.startswith(a[:-1]))

    return any(covers(a, b) or covers(b, a) for a in first for b in second)


def _filters_overlap(first: dict[str, str], second: dict[str, str]) -> bool:
    p1, p2 = first.get("prefix", ""), second.get("prefix", "")
    s1, s2 = first.get("suffix", ""), second.get("suffix", "")
    return (p1.startswith(p2) or p2.startswith(p1)) and (s1.endswith(s2) or s2.endswith(s1))


def admits(entry: dict[str, Any], key: str) -> bool:
    """Whether an entry sends the creation of object ``key`` to its destination."""
    rules = filter_rules(entry)
    created = _events_overlap(list(entry.get("Events", [])), [CREATED])
    return (
        created
        and key.startswith(rules.get("prefix", ""))
        and key.endswith(rules.get("suffix", ""))
    )


def queue_entry(entry_id: str, queue_arn: str, prefix: str = LOG_PREFIX) -> dict[str, Any]:
    """Our entry: new objects under ``AWSLogs/`` (after the trail's prefix) go to the queue."""
    return {
        "Id": entry_id,
        "QueueArn": queue_arn,
        "Events": [CREATED],
        "Filter": {"Key": {"FilterRules": [{"Name": "prefix", "Value": prefix}]}},
    }


def sample_key(prefix: str = LOG_PREFIX) -> str:
    """A log file's key under ``prefix``, to ask which entries would send it."""
    return f"{prefix}000000000000/CloudTrail/us-east-1/2026/01/01/x.json.gz"


def already_delivered(current: dict[str, Any], entry_id: str, queue_arn: str, prefix: str) -> bool:
    """Whether another entry already sends the log files to ``queue_arn``."""
    return any(
        entry.get("Id") != entry_id
        and entry.get("QueueArn") == queue_arn
        and admits(entry, sample_key(prefix))
        for entry in current.get("QueueConfigurations") or []
    )


def conflicts(current: dict[str, Any], ours: dict[str, Any]) -> list[str]:
    """The other entries S3 would find overlapping ``ours``, described."""
    found = []
    for kind, arn_key, label in KINDS:
        for entry in current.get(kind) or []:
            if entry.get("Id") == ours["Id"]:
                continue
            if _events_overlap(entry.get("Events", []), ours["Events"]) and _filters_overlap(
                filter_rules(entry), filter_rules(ours)
            ):
                rules = filter_rules(entry)
                where = ", ".join(f"{k} {v!r}" for k, v in sorted(rules.items())) or "every key"
                events = ", ".join(entry["Events"])
                found.append(f"{label} {entry.get(arn_key)} ({events}; {where})")
    return found


def conflict_message(
    bucket: str, current: dict[str, Any], described: list[str], prefix: str = LOG_PREFIX
) -> str:
    """Why nothing was changed, and the routes that work instead."""
    topics = [
        str(e.get("TopicArn"))
        for e in current.get("TopicConfigurations") or []
        if admits(e, sample_key(prefix))
    ]
    routes = "--route eventbridge (the bucket sends its events to EventBridge as well)"
    if topics:
        routes += f", or --route sns --existing-topic {topics[0]} (subscribe to that topic)"
    return (
        f"bucket {bucket} already notifies {'; '.join(described)}. S3 refuses a second "
        "notification for overlapping keys and events, and trailhound never replaces another "
        f"consumer's: nothing was changed. Generate the setup again with {routes}."
    )


def add(
    current: dict[str, Any] | None,
    entry_id: str,
    *,
    queue_arn: str | None = None,
    eventbridge: bool = False,
    bucket: str = "the bucket",
    prefix: str = LOG_PREFIX,
) -> dict[str, Any]:
    """The configuration with our entry beside the others; raises on an overlap."""
    merged = cleaned(current)
    queues = [e for e in merged.get("QueueConfigurations", []) if e.get("Id") != entry_id]
    if queue_arn is not None and not already_delivered(merged, entry_id, queue_arn, prefix):
        ours = queue_entry(entry_id, queue_arn, prefix)
        described = conflicts(merged, ours)
        if described:
            raise NotificationConflict(conflict_message(bucket, merged, described, prefix))
        queues.append(ours)
    if queues:
        merged["QueueConfigurations"] = queues
    else:
        merged.pop("QueueConfigurations", None)
    if eventbridge:
        merged[EVENTBRIDGE] = {}
    return merged


def remove(
    current: dict[str, Any] | None, entry_id: str, queue_arn: str | None = None
) -> dict[str, Any]:
    """The configuration without our entry (by ``Id``, or by queue); every other one stays.

    CloudFormation names the entries it writes itself, hence the queue. EventBridge delivery
    stays on here; the teardown turns it off (``eventbridge-off``) only when the EventBridge
    rule records that setup turned it on.
    """
    merged = cleaned(current)
    queues = [
        e
        for e in merged.get("QueueConfigurations", [])
        if e.get("Id") != entry_id and (queue_arn is None or e.get("QueueArn") != queue_arn)
    ]
    if queues:
        merged["QueueConfigurations"] = queues
    else:
        merged.pop("QueueConfigurations", None)
    return merged


def _read(path: str) -> dict[str, Any]:
    text = Path(path).read_text(encoding="utf-8").strip()
    return json.loads(text) if text else {}


def main(argv: list[str]) -> int:
    """``add|check CURRENT ID QUEUE_ARN|- queue|eventbridge BUCKET [PREFIX]``, ``remove CURRENT ID
    [ARN]``, ``eventbridge-on CURRENT`` (exit status), ``eventbridge-off CURRENT``."""
    verb, current = argv[0], _read(argv[1])
    if verb == "eventbridge-on":  # exit 0 when the bucket sends its events to EventBridge
        return 0 if current.get(EVENTBRIDGE) is not None else 1
    if verb == "eventbridge-off":
        print(json.dumps({k: v for k, v in cleaned(current).items() if k != EVENTBRIDGE}))
        return 0
    if verb == "remove":
        print(json.dumps(remove(current, argv[2], argv[3] if len(argv) > 3 else None)))
        return 0
    entry_id, queue_arn, route, bucket = argv[2:6]
    prefix = argv[6] if len(argv) > 6 else LOG_PREFIX
    try:
        merged = add(
            current,
            entry_id,
            queue_arn=None if queue_arn == "-" else queue_arn,
            eventbridge=route == "eventbridge",
            bucket=bucket,
            prefix=prefix,
        )
    except NotificationConflict as error:
        print(f"error: {error}", file=sys.stderr)
        return 3
    if verb == "add":
        print(json.dumps(merged))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
