"""The completeness and tamper ledger: every log file seen, checked against CloudTrail's digests.

The ingest loop records every CloudTrail log file it stores in ``log_files_seen`` (see
``store.state``) by account, region and hour of delivery (from its name,
``<acct>_CloudTrail_<region>_YYYYMMDDTHHmmZ_<x>.json.gz``), with the SHA-256 of its uncompressed
content: taken by the collector while its download is on disk, and for local files by ``check``
while the file is still there. ``check`` then reads the digest files and reports, per account and
region:

- **missing**: a log file a digest lists that was never ingested;
- **modified**: a log file ingested with another SHA-256 than its digest says;
- **extra**: a log file ingested that no digest lists, in an hour the digests cover;
- **late**: a log file the collector fetched later than its digest's end time plus
  ``late_after`` (a file read from a folder has no delivery time to compare: a backfill);
- **broken-chain**, **bad-signature**, **unverified** (no matching public key) and
  **unreadable-digest**: the digests themselves;
- **conflicting-digest**: two different digest files claim the same S3 object
  (``digestS3Object``): one of them is not CloudTrail's. Every copy is read, and the one whose
  signature verifies (else a signed one) is the one the log files are checked against;
- **misplaced-digest**: a digest the collector fetched from another key than the one it names;
- **unsigned-digest**: a digest without a signature while public keys are at hand (CloudTrail
  signs every digest; ``aws s3 sync`` drops the signature, the collector keeps it);
- **silent**: an account-region with no log file for longer than ``silence_threshold``: until
  now for those the collector feeds, until the newest log file read for those known only from
  folders (a backfill or the demo is a snapshot).

Signatures are checked only with CloudTrail's public keys (``aws cloudtrail list-public-keys``);
keys given once are saved in ``<data_dir>/ledger/public-keys.json`` (``save_public_keys``) and
used by every later check. Without keys the report says that signatures were not checked
(``LedgerReport.signatures_checked``): a forger who rewrites a digest is then caught only by the
chain and by conflicting copies.

Files collected from S3 are deleted once ingested, so their hash is unknown and they can be
missing, extra or late but not modified. "Late" compares the collector's fetch time; files read
from folders are never late.

Ingest keeps a copy of every digest file it meets beside the logs (``<data_dir>/digests/local``),
and the collector its own (``<data_dir>/digests/<bucket>``): ``check`` reads both.
"""

from __future__ import annotations

import os
import tempfile
from base64 import b64encode
from bisect import bisect_right
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from pathlib import Path

import orjson

from trailhound.data_dir import DataDir
from trailhound.sources.digests import (
    Digest,
    DigestError,
    PublicKey,
    SignatureStatus,
    find_digest_files,
    load_digest_file,
    load_public_keys,
    verify_chain,
    verify_signature,
)
from trailhound.sources.names import parse_name
from trailhound.store.state import StateDB

# A file delivered near the end of the newest digest may be listed by the next one.
_COVER_GRACE = timedelta(hours=1)


class FindingKind(StrEnum):
    """What the ledger can find wrong, in report order."""

    MISSING = "missing"
    MODIFIED = "modified"
    EXTRA = "extra"
    LATE = "late"
    BROKEN_CHAIN = "broken-chain"
    BAD_SIGNATURE = "bad-signature"
    CONFLICTING = "conflicting-digest"
    MISPLACED = "misplaced-digest"
    UNSIGNED = "unsigned-digest"
    UNVERIFIED = "unverified"
    UNREADABLE = "unreadable-digest"
    SILENT = "silent"


_ORDER = {kind: i for i, kind in enumerate(FindingKind)}


@dataclass(frozen=True, slots=True)
class Finding:
    """One thing wrong with one log file, digest or account-region."""

    kind: FindingKind
    account: str
    region: str
    uri: str
    detail: str
    time: datetime | None = None  # the delivery, digest end or last delivery it is about

    def as_dict(self) -> dict[str, str | None]:
        """The finding as JSON-ready values."""
        return {
            "kind": self.kind.value,
            "account": self.account,
            "region": self.region,
            "uri": self.uri,
            "detail": self.detail,
            "time": self.time.isoformat() if self.time else None,
        }


@dataclass(slots=True)
class LedgerReport:
    """The outcome of one ledger check."""

    findings: list[Finding] = field(default_factory=list)
    digests: int = 0
    signatures: Counter[str] = field(default_factory=Counter)  # digests by signature status
    files_listed: int = 0
    files_seen: int = 0
    signatures_checked: bool = False  # whether public keys were at hand

    def add(self, kind: FindingKind, account: str, region: str, uri: str, detail: str,
            time: datetime | None = None) -> None:  # fmt: skip
        """Record a finding."""
        self.findings.append(Finding(kind, account, region, uri, detail, time))

    @property
    def counts(self) -> dict[str, int]:
        """Findings per kind, every kind present."""
        found = Counter(f.kind.value for f in self.findings)
        return {kind.value: found[kind.value] for kind in FindingKind}

    @property
    def clean(self) -> bool:
        """Whether nothing was found."""
        return not self.findings


@dataclass(frozen=True, slots=True)
class _Seen:
    uri: str
    account: str
    region: str
    delivered_at: datetime
    sha256: str | None
    seen_at: datetime

    @property
    def name(self) -> str:
        return self.uri.replace("\\", "/").rsplit("/", 1)[-1]

    @property
    def collected(self) -> bool:
        """Fetched from S3 by the collector (soon after delivery), not read from a folder."""
        return self.uri.startswith("s3://")


def _load_digests(
    roots: Iterable[Path], account: str | None, report: LedgerReport
) -> dict[str, list[Digest]]:
    """Every copy of every digest under ``roots``, by the S3 object each claims to be."""
    digests: dict[str, list[Digest]] = {}
    for path in find_digest_files(roots):
        try:
            digest = load_digest_file(path)
        except DigestError as error:
            owner = parse_name(str(path)).path_account or "unknown"
            if account is None or owner == account:
                report.add(FindingKind.UNREADABLE, owner, "unknown", str(path), str(error))
            continue
        if account is None or digest.account == account:
            digests.setdefault(digest.uri, []).append(digest)
    return digests


def _choose(copies: Sequence[Digest], public_keys: Sequence[PublicKey] | None) -> Digest:
    """The copy to trust: one whose signature verifies, else a signed one, else the first."""
    if len(copies) == 1:
        return copies[0]
    if public_keys:
        for copy in copies:
            if verify_signature(copy, public_keys).status is SignatureStatus.VALID:
                return copy
    return next((c for c in copies if c.signature), copies[0])


def _check_copies(groups: Iterable[Sequence[Digest]], report: LedgerReport) -> None:
    """Different files claiming one digest object, and digests fetched from another key."""
    for copies in groups:
        first = copies[0]
        where = (first.account, first.region, first.uri)
        contents = {c.content_sha256 for c in copies}
        signatures = {c.signature for c in copies if c.signature}
        if len(contents) > 1 or len(signatures) > 1:
            paths = ", ".join(c.path for c in copies[:3]) + (", …" if len(copies) > 3 else "")
            detail = f"{len(copies)} digest files that differ claim this object: {paths}"
            report.add(FindingKind.CONFLICTING, *where, detail, first.end_time)
        for copy in copies:
            if copy.source is not None and copy.source.split("/", 3)[-1] != copy.key:
                detail = f"fetched from {copy.source} but names itself {copy.uri}"
                report.add(FindingKind.MISPLACED, copy.account, copy.region, copy.source,
                           detail, copy.end_time)  # fmt: skip


def _check_digests(
    state: StateDB,
    digests: Sequence[Digest],
    in_range: Sequence[Digest],
    public_keys: Sequence[PublicKey] | None,
    report: LedgerReport,
) -> None:
    """Signatures of the digests in range, and the chain through all of them."""
    wanted = {d.uri for d in in_range}
    breaks = {b.digest.uri: b.detail for b in verify_chain(digests) if b.digest.uri in wanted}
    now = datetime.now(UTC)
    rows = []
    for digest in in_range:
        where = (digest.account, digest.region, digest.uri)
        signature = verify_signature(digest, public_keys)
        report.signatures[signature.status.value] += 1
        status = signature.status.value
        if signature.status is SignatureStatus.BAD_SIGNATURE:
            report.add(FindingKind.BAD_SIGNATURE, *where, signature.detail, digest.end_time)
        elif signature.status is SignatureStatus.NO_MATCHING_KEY:
            report.add(FindingKind.UNVERIFIED, *where, signature.detail, digest.end_time)
        elif signature.status is SignatureStatus.UNSIGNED and public_keys:
            detail = "no signature: CloudTrail signs every digest (S3 metadata `signature`)"
            report.add(FindingKind.UNSIGNED, *where, detail, digest.end_time)
        chain = breaks.get(digest.uri)
        if chain is not None:
            report.add(FindingKind.BROKEN_CHAIN, *where, chain, digest.end_time)
            if signature.status is not SignatureStatus.BAD_SIGNATURE:
                status = "broken chain"
        detail = "; ".join(x for x in (signature.detail, chain) if x)
        rows.append((*where, digest.trail, digest.end_time, status, detail, now))
    if rows:
        with state.connect() as con:
            con.executemany(
                "INSERT OR REPLACE INTO digest_checks (account, region, uri, trail, "
                "digest_end_time, status, detail, checked_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [list(r) for r in rows],
            )


def _load_seen(state: StateDB, account: str | None) -> list[_Seen]:
    with state.connect() as con:
        rows = con.execute(
            "SELECT uri, account, region, delivered_at, sha256, seen_at FROM log_files_seen "
            "WHERE ? IS NULL OR account = ? ORDER BY delivered_at, uri",
            [account, account],
        ).fetchall()
    return [_Seen(*row) for row in rows]


def _span(delta: timedelta) -> str:
    """A duration for people: ``2d3h``, ``5h10m``, ``12m``."""
    minutes = int(delta.total_seconds() // 60)
    days, rest = divmod(minutes, 1440)
    hours, minutes = divmod(rest, 60)
    if days:
        return f"{days}d{hours}h"
    return f"{hours}h{minutes:02d}m" if hours else f"{minutes}m"


def _check_listed(
    in_range: Iterable[Digest],
    seen: Iterable[_Seen],
    late_after: timedelta | None,
    report: LedgerReport,
) -> None:
    """Missing, modified and late: each log file the digests list against its copies seen."""
    by_name: dict[str, list[_Seen]] = {}
    for item in seen:
        by_name.setdefault(item.name, []).append(item)
    for digest in in_range:
        where, end = (digest.account, digest.region), digest.end_time
        for listed in digest.log_files:
            report.files_listed += 1
            copies = by_name.get(listed.name)
            if not copies:
                uri = f"s3://{listed.bucket}/{listed.key}"
                detail = f"listed in the digest of {end:%Y-%m-%dT%H:%MZ}, never ingested"
                report.add(FindingKind.MISSING, *where, uri, detail, end)
                continue
            for copy in copies:
                if copy.sha256 is not None and copy.sha256 != listed.sha256:
                    detail = (
                        f"SHA-256 {copy.sha256[:16]}…, the digest of {end:%Y-%m-%dT%H:%MZ} "
                        f"says {listed.sha256[:16]}…"
                    )
                    report.add(FindingKind.MODIFIED, *where, copy.uri, detail, end)
            first = min(copies, key=lambda c: c.seen_at)
            if late_after is not None and first.collected and first.seen_at > end + late_after:
                delay = _span(first.seen_at - end)
                detail = f"ingested {delay} after the end of its digest ({end:%Y-%m-%dT%H:%MZ})"
                report.add(FindingKind.LATE, *where, first.uri, detail, end)


def _check_extra(
    digests: Sequence[Digest], seen: Iterable[_Seen], since: datetime | None, report: LedgerReport
) -> None:
    """Log files seen that no digest lists, in hours the digests of their region cover."""
    listed = {f.name for d in digests for f in d.log_files}
    spans: dict[tuple[str, str], list[tuple[datetime, datetime]]] = {}
    for digest in digests:
        spans.setdefault((digest.account, digest.region), []).append(
            (digest.start_time, digest.end_time)
        )
    ordered = {key: sorted(value) for key, value in spans.items()}
    starts = {key: [start for start, _ in value] for key, value in ordered.items()}
    newest = {key: max(end for _, end in value) for key, value in ordered.items()}
    for item in seen:
        if since is not None and item.delivered_at < since:
            continue
        report.files_seen += 1
        key, when = (item.account, item.region), item.delivered_at
        if key not in starts or item.name in listed or when + _COVER_GRACE > newest[key]:
            continue
        at = bisect_right(starts[key], when) - 1  # the window starting last at or before it
        if at >= 0 and when < ordered[key][at][1]:
            detail = "ingested but listed in no digest of its hour"
            report.add(FindingKind.EXTRA, *key, item.uri, detail, when)


def _check_silence(
    seen: Iterable[_Seen], threshold: timedelta, now: datetime, report: LedgerReport
) -> None:
    """Account-regions whose newest log file is older than ``threshold``.

    Older than now for those the collector feeds; for those known only from folders read (a
    backfill, the demo), older than the newest log file read from folders: a folder is a
    snapshot, and the time it was read says nothing of when CloudTrail went quiet.
    """
    last: dict[tuple[str, str], datetime] = {}
    collected: set[tuple[str, str]] = set()
    newest_local: datetime | None = None
    for item in seen:
        key = (item.account, item.region)
        last[key] = max(last.get(key, item.delivered_at), item.delivered_at)
        if item.collected:
            collected.add(key)
        elif newest_local is None or item.delivered_at > newest_local:
            newest_local = item.delivered_at
    for (account, region), when in sorted(last.items()):
        reference = now if (account, region) in collected or newest_local is None else newest_local
        if reference - when > threshold:
            detail = f"no log file since {when:%Y-%m-%dT%H:%MZ} ({_span(reference - when)})"
            report.add(FindingKind.SILENT, account, region, "", detail, when)


def check(
    data_dir: DataDir,
    digests_roots: Iterable[Path],
    public_keys: Sequence[PublicKey] | None = None,
    since: datetime | None = None,
    account: str | None = None,
    late_after: timedelta | None = timedelta(hours=1),
    silence_threshold: timedelta | None = timedelta(hours=2),
    now: datetime | None = None,
) -> LedgerReport:
    """Check the log files seen against the digests under ``digests_roots``."""
    state = StateDB(data_dir.state_db)
    state.hash_local_log_files()
    report = LedgerReport(signatures_checked=bool(public_keys))
    groups = _load_digests(digests_roots, account, report)
    digests = [_choose(copies, public_keys) for copies in groups.values()]
    in_range = [d for d in digests if since is None or d.end_time >= since]
    report.digests = len(in_range)
    _check_copies((groups[d.uri] for d in in_range), report)
    _check_digests(state, digests, in_range, public_keys, report)
    seen = _load_seen(state, account)
    _check_listed(in_range, seen, late_after, report)
    _check_extra(digests, seen, since, report)
    if silence_threshold is not None:
        _check_silence(seen, silence_threshold, now or datetime.now(UTC), report)
    report.findings.sort(key=lambda f: (_ORDER[f.kind], f.account, f.region, f.uri))
    return report


def public_keys_file(data_dir: DataDir) -> Path:
    """Where the public keys given to the ledger are kept for later checks."""
    return data_dir.root / "ledger" / "public-keys.json"


def saved_public_keys(data_dir: DataDir) -> list[PublicKey]:
    """The public keys saved in the data directory (none when nothing was saved)."""
    path = public_keys_file(data_dir)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return []
    except OSError as error:
        raise DigestError(f"{path}: cannot read: {error}") from error
    try:
        return load_public_keys(data)
    except DigestError as error:
        raise DigestError(f"{path}: {error}") from error


def save_public_keys(data_dir: DataDir, keys: Iterable[PublicKey]) -> int:
    """Add ``keys`` to the saved ones (by fingerprint); returns how many were new.

    The file is a ``list-public-keys`` output itself, written whole and renamed into place.
    """
    saved = {k.fingerprint: k for k in saved_public_keys(data_dir)}
    new = {k.fingerprint: k for k in keys if k.fingerprint not in saved}
    if not new:
        return 0
    merged = [*saved.values(), *new.values()]
    body = orjson.dumps(
        {
            "PublicKeyList": [
                {"Value": b64encode(k.der).decode(), "Fingerprint": k.fingerprint} for k in merged
            ]
        },
        option=orjson.OPT_INDENT_2,
    )
    path = public_keys_file(data_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".public-keys-")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(body)
        Path(temporary).replace(path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return len(new)
