"""The demo data set, ingested once per test session, and plain-Python reading of its records.

Queries run on DuckDB over the ingested lake through the real query engine; their results are
compared with the same question answered in Python straight from the CloudTrail records the demo
generator wrote (never from the compiler's own output). ``rows`` brings both sides to one form.
"""

from __future__ import annotations

import datetime
import gzip
import math
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from trailhound.data_dir import DataDir
from trailhound.query import compile_query
from trailhound.store.engine import QueryEngine

DEMO_EVENTS = 3_000
DEMO_SEED = 7
BAD_FILE = "bad-upload.json"  # one record the ingest quarantines, for `union quarantine`
Record = dict[str, Any]
Row = tuple[Any, ...]


@dataclass
class Demo:
    """The ingested demo data: its data directory, its records, an engine over it."""

    data_dir: DataDir
    records: list[Record]
    engine: QueryEngine

    def run(self, query: str, **kwargs: Any) -> tuple[list[str], list[Row]]:
        """Compile a pipe query and run it on DuckDB over the demo lake."""
        compiled = compile_query(query, **kwargs)
        return self.engine.execute(compiled.sql("duckdb"))


def read_records(root: Path) -> list[Record]:
    """Every record of every CloudTrail log file below ``root``, as written."""
    records: list[Record] = []
    for path in sorted(root.rglob("*.json.gz")):
        document = orjson.loads(gzip.decompress(path.read_bytes()))
        if isinstance(document, dict) and isinstance(document.get("Records"), list):
            records.extend(document["Records"])
    return records


def get(record: Record, path: str) -> Any:
    """The value at a dotted path (``userIdentity.accessKeyId``), None where it is missing."""
    value: Any = record
    for part in path.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


def text(record: Record, path: str) -> str | None:
    """The value at ``path`` as the lake's text: strings as they are, other scalars as JSON."""
    value = get(record, path)
    if value is None or isinstance(value, str):
        return value
    return orjson.dumps(value).decode()


def same(value: Any, other: str) -> bool:
    """The query language's ``=`` on text: case-insensitive, NULL equals nothing."""
    return isinstance(value, str) and value.lower() == other.lower()


def name_of(record: Record) -> str | None:
    """The API the record is about: ``eventName``, or an Insights event's inside its details."""
    if record.get("eventName") is None and record.get("eventType") == "AwsCloudTrailInsight":
        return get(record, "insightDetails.eventName")
    return record.get("eventName")


def source_of(record: Record) -> str | None:
    """The service the record is about, read like :func:`name_of`."""
    if record.get("eventSource") is None and record.get("eventType") == "AwsCloudTrailInsight":
        return get(record, "insightDetails.eventSource")
    return record.get("eventSource")


def time_of(record: Record) -> datetime.datetime:
    """The record's eventTime."""
    return datetime.datetime.fromisoformat(record["eventTime"].replace("Z", "+00:00"))


def actor(record: Record) -> str:
    """The identity a call is attributed to, as docs/schema.md defines ``actor``."""
    identity = record.get("userIdentity") or {}
    kind = identity.get("type")
    issuer = get(identity, "sessionContext.sessionIssuer.arn")
    if kind == "AssumedRole" and issuer is not None:
        session = (identity.get("arn") or "").rsplit("/", 1)[-1]
        if not session:
            session = (identity.get("principalId") or "").partition(":")[2]
        return f"{issuer}/{session}"
    if kind == "AWSService":
        return identity.get("invokedBy") or record.get("sourceIPAddress")
    if kind == "AWSAccount":
        return "account:" + (identity.get("accountId") or identity.get("principalId"))
    if kind == "IdentityCenterUser":
        user = get(identity, "onBehalfOf.userId") or identity.get("userName")
        return "identitycenter:" + (user or identity["principalId"])
    for key in ("arn", "userName", "principalId", "invokedBy"):
        if identity.get(key):
            return str(identity[key])
    return "unknown"


def is_service_caller(record: Record) -> bool:
    """The call came from an AWS service (its source is a service name)."""
    source = record.get("sourceIPAddress") or ""
    return source.lower().endswith(".amazonaws.com") or source == "AWS Internal"


def _value(value: Any) -> Any:
    if isinstance(value, datetime.datetime) and value.tzinfo is not None:
        return value.astimezone(datetime.UTC)
    if isinstance(value, float):
        return None if math.isnan(value) else round(value, 6)
    if isinstance(value, (list, tuple)):
        return tuple(_value(v) for v in value)
    return value


def rows(found: Iterable[Iterable[Any]], *, ordered: bool = False) -> list[Row]:
    """Rows in one comparable form (UTC times, rounded floats, tuples), sorted unless
    ``ordered``."""
    normal = [tuple(_value(v) for v in row) for row in found]
    return normal if ordered else sorted(normal, key=repr)
