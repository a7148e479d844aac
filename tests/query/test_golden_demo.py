"""Every golden query of the new stages and functions, run on DuckDB over the demo data and
compared with the same question answered in plain Python from the records the generator wrote.

The 22 goldens that came before this file check the single-table stages on hand-made events in
test_compiler.py; each golden added since has an evaluation here, and a test keeps it so.
"""

from __future__ import annotations

import datetime
import ipaddress
import math
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from itertools import groupby
from pathlib import Path
from typing import Any

import pytest

from tests.query.demo_data import (
    Demo,
    Record,
    Row,
    get,
    name_of,
    rows,
    same,
    source_of,
    text,
    time_of,
)

GOLDEN = Path(__file__).parent / "golden"
# The goldens of the single-table language (reviewed before the new stages existed).
SINGLE_TABLE = {
    "alerts", "alter", "bin_five_minutes", "bin_hour", "case_insensitive_filter",
    "cloud_audit_logs", "comp_every_aggregate", "dedup", "fields_exclude", "fields_rename",
    "incidr_ipv4", "incidr_ipv6", "json_extract", "limit_then_filter", "quarantine",
    "regex_and_not_in", "root_activity", "timeframe", "top", "top_by", "wildcard_escaping",
    "wildcards",
}  # fmt: skip
Answer = tuple[list[str], list[Row]]


def event_id(record: Record) -> str:
    return str(record["eventID"])


def seconds_between(later: datetime.datetime, earlier: datetime.datetime) -> int:
    """Whole seconds elapsed, truncated toward zero, as timestamp_diff counts them."""
    return math.trunc((later - earlier).total_seconds())


def matching(records: Iterable[Record], predicate: Callable[[Record], bool]) -> list[Record]:
    return [r for r in records if predicate(r)]


def grouped(records: Iterable[Record], key: Callable[[Record], Any]) -> dict[Any, list[Record]]:
    groups: dict[Any, list[Record]] = defaultdict(list)
    for record in records:
        groups[key(record)].append(record)
    return groups


# --- join, union, arrayexpand -------------------------------------------------------------------


def join_assumed_role_sessions(demo: Demo) -> Answer:
    used = grouped(
        matching(demo.records, lambda r: get(r, "userIdentity.accessKeyId") is not None),
        lambda r: get(r, "userIdentity.accessKeyId"),
    )
    found = []
    for record in demo.records:
        key = text(record, "responseElements.credentials.accessKeyId")
        if not same(name_of(record), "AssumeRole") or key is None:
            continue
        for used_key, calls in used.items():
            if used_key.lower() == key.lower():
                apis = len({name_of(c) for c in calls} - {None})
                role = text(record, "requestParameters.roleArn")
                found.append((event_id(record), role, key, len(calls), apis))
    return ["eventId", "role", "session_key", "calls", "apis"], found


def join_left_conflict_both(demo: Demo) -> Answer:
    writes = Counter(r.get("sourceIPAddress") for r in demo.records if r.get("readOnly") is False)
    found = []
    for record in matching(demo.records, lambda r: same(name_of(r), "ConsoleLogin")):
        address = record.get("sourceIPAddress")
        matches = [(ip, n) for ip, n in writes.items() if ip and address and same(ip, address)]
        for ip, n in matches or [(None, None)]:
            found.append((event_id(record), address, ip, n))
    return ["eventId", "sourceIPAddress", "w_sourceIPAddress", "writes"], found


def join_right_conflict_left(demo: Demo) -> Answer:
    kinds = ("root", "iamuser")
    known = Counter(
        r.get("sourceIPAddress")
        for r in demo.records
        if (get(r, "userIdentity.type") or "").lower() in kinds
    )
    logins = matching(demo.records, lambda r: same(name_of(r), "ConsoleLogin"))
    found = []
    for address, calls in known.items():
        matches = [r for r in logins if address and same(r.get("sourceIPAddress"), address)]
        for login in matches:
            found.append((login["sourceIPAddress"], event_id(login), calls))
        if not matches:
            found.append((address, None, calls))
    return ["sourceIPAddress", "eventId", "calls"], found


def union_dataset(demo: Demo) -> Answer:
    stops = matching(demo.records, lambda r: same(name_of(r), "StopLogging"))
    _, quarantined = demo.engine.execute("SELECT excerpt, reason, position FROM quarantine")
    assert quarantined, "the demo fixture quarantines one record"
    return ["excerpt", "reason", "position"], [
        *((event_id(r), name_of(r), None) for r in stops),
        *quarantined,
    ]


def union_query(demo: Demo) -> Answer:
    tokens = ("getsessiontoken", "getfederationtoken")
    logins = matching(demo.records, lambda r: same(name_of(r), "ConsoleLogin"))
    issued = matching(demo.records, lambda r: (name_of(r) or "").lower() in tokens)
    return ["eventId", "who", "eventName"], [
        *((event_id(r), get(r, "userIdentity.arn"), None) for r in logins),
        *((event_id(r), get(r, "userIdentity.arn"), name_of(r)) for r in issued),
    ]


def arrayexpand_resources(demo: Demo) -> Answer:
    found = [
        (event_id(r), element.get("ARN"), element.get("type"))
        for r in demo.records
        if r.get("readOnly") is False and r.get("resources") is not None
        for element in r["resources"][:1]
    ]
    return ["eventId", "resources.ARN", "resources.type"], found


def arrayexpand_json_path(demo: Demo) -> Answer:
    found = [
        (event_id(r), item.get("instanceId"))
        for r in matching(demo.records, lambda r: same(name_of(r), "DescribeInstances"))
        for item in get(r, "requestParameters.instancesSet.items") or []
    ]
    return ["eventId", "requestParameters.instancesSet.items.instanceId"], found


# --- windowcomp, transaction, replacenull -------------------------------------------------------


def nulls_last(value: Any) -> Any:
    """A sort key that puts NULLs (None) last, as the query language sorts."""
    if isinstance(value, tuple):
        return tuple(nulls_last(v) for v in value)
    return (value is None, value if value is not None else "")


def by_time(records: Iterable[Record]) -> list[Record]:
    return sorted(records, key=lambda r: (time_of(r), event_id(r)))


def windowcomp_lag(demo: Demo) -> Answer:
    keyed = matching(demo.records, lambda r: get(r, "userIdentity.accessKeyId") is not None)
    found = []
    for calls in grouped(keyed, lambda r: get(r, "userIdentity.accessKeyId")).values():
        previous: datetime.datetime | None = None
        for record in by_time(calls):
            gap = None if previous is None else seconds_between(time_of(record), previous)
            found.append((event_id(record), previous, gap))
            previous = time_of(record)
    return ["eventId", "previous", "gap"], found


def windowcomp_rows_frame(demo: Demo) -> Answer:
    s3 = matching(demo.records, lambda r: same(source_of(r), "s3.amazonaws.com"))
    found = []
    for calls in grouped(s3, lambda r: r.get("awsRegion")).values():
        ordered = by_time(calls)
        for index, record in enumerate(ordered):
            last_three = len(ordered[max(0, index - 2) : index + 1])
            nearby = ordered[max(0, index - 1) : index + 2]
            found.append((event_id(record), last_three, min(time_of(r) for r in nearby)))
    return ["eventId", "last_three", "nearby_first"], found


def windowcomp_range_frame(demo: Demo) -> Answer:
    hour = datetime.timedelta(hours=1)
    addressed = matching(demo.records, lambda r: r.get("sourceIPAddress") is not None)
    found = []
    for calls in grouped(addressed, lambda r: r["sourceIPAddress"]).values():
        times = [time_of(r) for r in calls]
        for record in calls:
            now = time_of(record)
            found.append((event_id(record), sum(1 for t in times if now - hour <= t <= now)))
    return ["eventId", "calls_last_hour"], found


def windowcomp_ranking(demo: Demo) -> Answer:
    calls = Counter((source_of(r), name_of(r)) for r in demo.records)
    busiest = max(calls.values())
    found = []
    for source, group in groupby(sorted(calls, key=nulls_last), key=lambda key: key[0]):
        names = sorted(group, key=lambda key: (-calls[key], nulls_last(key[1])))
        counts = [calls[key] for key in names]
        total = sum(counts)
        for position, key in enumerate(names, 1):
            n = calls[key]
            place = 1 + sum(1 for c in counts if c > n)
            dense = 1 + len({c for c in counts if c > n})
            following = names[position][1] if position < len(names) else None
            found.append(
                (source, key[1], n, place, dense, position, following, names[0][1],
                 names[-1][1], total, total / len(counts), busiest)
            )  # fmt: skip
    columns = [
        "eventSource", "eventName", "calls", "place", "dense_place", "position", "next_name",
        "most_called", "least_called", "service_calls", "service_average", "busiest",
    ]  # fmt: skip
    return columns, found


def transactions(
    records: list[Record],
    key: Callable[[Record], tuple[Any, ...]],
    span: datetime.timedelta,
    anchor: datetime.datetime | None,
    maxevents: int | None,
) -> list[Row]:
    """Each key's events cut into windows of ``span`` from ``anchor`` (the key's first event if
    None), each window cut after ``maxevents``: (key…, start, end, whole seconds, count)."""
    found: list[Row] = []
    for values, calls in grouped(records, key).items():
        start = anchor or min(time_of(r) for r in calls)
        windows: dict[int, list[Record]] = defaultdict(list)
        for record in calls:
            windows[math.floor((time_of(record) - start) / span)].append(record)
        for window in windows.values():
            times = sorted(time_of(r) for r in window)
            size = maxevents or len(times)
            for first in range(0, len(times), size):
                part = times[first : first + size]
                duration = seconds_between(part[-1], part[0])
                found.append((*values, part[0], part[-1], duration, len(part)))
    return found


TRANSACTION = ["_start_time", "_end_time", "_duration", "_event_count"]


def transaction_span(demo: Demo) -> Answer:
    keyed = matching(demo.records, lambda r: get(r, "userIdentity.accessKeyId") is not None)
    hour = datetime.timedelta(hours=1)
    found = transactions(keyed, lambda r: (get(r, "userIdentity.accessKeyId"),), hour, None, None)
    return ["userIdentity.accessKeyId", *TRANSACTION], found


def transaction_timeshift_maxevents(demo: Demo) -> Answer:
    keyed = matching(
        demo.records,
        lambda r: get(r, "userIdentity.arn") is not None and r.get("awsRegion") is not None,
    )
    anchor = datetime.datetime(2026, 11, 1, 6, tzinfo=datetime.UTC)
    found = transactions(
        keyed,
        lambda r: (get(r, "userIdentity.arn"), r["awsRegion"]),
        datetime.timedelta(days=1),
        anchor,
        5,
    )
    return ["userIdentity.arn", "awsRegion", *TRANSACTION], found


def replacenull(demo: Demo) -> Answer:
    s3 = matching(demo.records, lambda r: same(source_of(r), "s3.amazonaws.com"))
    counts = Counter((r.get("errorCode") or "OK", r.get("vpcEndpointId") or "none") for r in s3)
    return ["errorCode", "vpcEndpointId", "calls"], [(*k, n) for k, n in counts.items()]


# --- functions ----------------------------------------------------------------------------------


def fn_if_coalesce(demo: Demo) -> Answer:
    def kind(r: Record) -> str:
        if r.get("readOnly") is True:
            return "read"
        return "failed" if r.get("errorCode") is not None else "write"

    def who(r: Record) -> str:
        for path in ("userIdentity.userName", "userIdentity.invokedBy"):
            if get(r, path) is not None:
                return str(get(r, path))
        return "unknown"

    counts = Counter(
        (kind(r), who(r), "error" if r.get("errorCode") is not None else None) for r in demo.records
    )
    return ["kind", "who", "error", "calls"], [(*k, n) for k, n in counts.items()]


def fn_text(demo: Demo) -> Answer:
    found = []
    for r in matching(demo.records, lambda r: r.get("userAgent") is not None):
        product = re.search(r"^([A-Za-z0-9-]+)/", r["userAgent"])
        versions = re.findall(r"[0-9]+\.[0-9]+\.[0-9]+", r["userAgent"])
        padded = f"  {name_of(r)}xx  "  # every call with a user agent has a name
        found.append(
            (event_id(r), product.group(1) if product else None, versions, padded.strip(" "),
             padded.lstrip(" "), padded.rstrip(" ").rstrip("x"), r["awsRegion"].strip(" ").upper(),
             str(source_of(r)).lower())
        )  # fmt: skip
    columns = ["eventId", "product", "versions", "both", "left", "right", "region", "service"]
    return columns, found


def fn_arrays(demo: Demo) -> Answer:
    found = []
    for r in matching(demo.records, lambda r: get(r, "userIdentity.arn") is not None):
        parts = get(r, "userIdentity.arn").split(":")
        path = parts[5].split("/") if len(parts) > 5 else None
        if path is None:
            found.append((event_id(r), parts[2], None, None, None, None, None))
            continue
        found.append(
            (event_id(r), parts[2], path[-1], path[9] if len(path) > 9 else None, len(path),
             "/".join(p.upper() for p in path), [p for p in path if len(p) > 12])
        )  # fmt: skip
    columns = ["eventId", "service", "last", "beyond", "depth", "shouted", "long_parts"]
    return columns, found


def fn_json_extract_array(demo: Demo) -> Answer:
    found = []
    for r in matching(demo.records, lambda r: r.get("resources") is not None):
        items = r["resources"]
        instances = get(r, "requestParameters.instancesSet.items")
        found.append(
            (event_id(r), [i.get("ARN") for i in items], items[0].get("type") if items else None,
             None if instances is None else [i.get("instanceId") for i in instances])
        )  # fmt: skip
    return ["eventId", "arns", "first_type", "instance_ids"], found


def fn_conversions(demo: Demo) -> Answer:
    found = []
    for r in matching(demo.records, lambda r: same(source_of(r), "s3.amazonaws.com")):
        raw = text(r, "additionalEventData.bytesTransferredOut")
        whole = raw is not None and re.fullmatch(r"[+-]?[0-9]{1,18}", raw.strip()) is not None
        mfa = get(r, "userIdentity.sessionContext.attributes.mfaAuthenticated")
        flag = {"true": True, "false": False}.get(str(mfa).strip().lower()) if mfa else None
        found.append(
            (event_id(r), int(raw) if whole and raw else None,
             float(raw) / 1024 if raw is not None else None, flag, 4, 42, None, False)
        )  # fmt: skip
    columns = ["eventId", "bytes", "kilobytes", "mfa", "rounded", "whole", "not_whole", "answer"]
    return columns, found


def fn_time(demo: Demo) -> Answer:
    found = []
    for r in matching(demo.records, lambda r: same(source_of(r), "sts.amazonaws.com")):
        t = time_of(r)
        found.append(
            (event_id(r), t.year, (t.month - 1) // 3 + 1, t.month, t.isocalendar().week, t.day,
             t.isoweekday() % 7 + 1, t.timetuple().tm_yday, t.hour, t.minute, t.second,
             t.strftime("%Y-%m-%dT%H:%M:%SZ"), t.replace(second=0, tzinfo=None), None,
             datetime.datetime(2025, 11, 5, tzinfo=datetime.UTC))
        )  # fmt: skip
    columns = [
        "eventId", "year", "quarter", "month", "week", "day", "weekday", "yearday", "hour",
        "minute", "second", "stamp", "parsed", "unparsable", "epoch",
    ]  # fmt: skip
    return columns, found


def fn_incidr6(demo: Demo) -> Answer:
    networks = {
        "in_36": ["2001:db8::/36"],
        "in_44": ["2001:db8:10::/44"],
        "in_either": ["2001:db8:40::/42", "2001:db8:5::/48"],
    }
    parsed = [[ipaddress.ip_network(n) for n in cidrs] for cidrs in networks.values()]
    addresses = Counter(f"2001:db8:{time_of(r).minute}::7" for r in demo.records)
    found = []
    for address, calls in addresses.items():
        inside = [any(ipaddress.ip_address(address) in n for n in nets) for nets in parsed]
        found.append((address, *inside, calls))
    return ["address", *networks, "calls"], found


ORACLES: dict[str, Callable[[Demo], Answer]] = {
    f.__name__: f
    for f in (
        join_assumed_role_sessions, join_left_conflict_both, join_right_conflict_left,
        union_dataset, union_query, arrayexpand_resources, arrayexpand_json_path, windowcomp_lag,
        windowcomp_rows_frame, windowcomp_range_frame, windowcomp_ranking, transaction_span,
        transaction_timeshift_maxevents, replacenull, fn_if_coalesce, fn_text, fn_arrays,
        fn_json_extract_array, fn_conversions, fn_time, fn_incidr6,
    )
}  # fmt: skip


def test_every_new_golden_has_a_python_evaluation() -> None:
    goldens = {path.stem for path in GOLDEN.glob("*.xql")}
    assert goldens >= SINGLE_TABLE
    assert goldens - SINGLE_TABLE == set(ORACLES)


@pytest.mark.parametrize("name", sorted(ORACLES))
def test_golden_on_demo_data(demo: Demo, name: str) -> None:
    columns, found = demo.run((GOLDEN / f"{name}.xql").read_text())
    expected_columns, expected = ORACLES[name](demo)
    assert columns == expected_columns
    assert found, f"{name} finds nothing in the demo data: it would test nothing"
    assert rows(found) == rows(expected)
