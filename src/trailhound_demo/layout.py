"""Where CloudTrail puts things in its bucket, and the files it writes beside the logs."""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass
from typing import Any

import orjson
from cryptography.hazmat.primitives.asymmetric import rsa

from trailhound_demo.events import iso
from trailhound_demo.organization import LOG_BUCKET, ORG_ID
from trailhound_demo.signing import fingerprint, sign, signing_string

_SUFFIX_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
WRITABILITY_CHECK = "ConfigWritabilityCheckFile"
WRITABILITY_TEXT = b"Test file for AWS Config and AWS CloudTrail write permissions.\n"


@dataclass(frozen=True, slots=True)
class LogFile:
    """A log file as written: its key, the SHA-256 of its uncompressed content (what a digest
    lists) and time range, for the digest that covers it."""

    key: str
    sha256: str
    delivered: int
    oldest: str
    newest: str


def random_suffix(rng: random.Random) -> str:
    """The 16 random characters that end a CloudTrail log file name."""
    return "".join(rng.choices(_SUFFIX_ALPHABET, k=16))


def _prefix(account: str, org: bool) -> str:
    return f"AWSLogs/{ORG_ID}/{account}" if org else f"AWSLogs/{account}"


def _dated(sec: int) -> tuple[str, str]:
    """The ``YYYY/MM/DD`` folder and the ``YYYYMMDDTHHmmssZ`` stamp of a delivery time."""
    t = iso(sec)
    return (
        f"{t[:4]}/{t[5:7]}/{t[8:10]}",
        f"{t[:4]}{t[5:7]}{t[8:10]}T{t[11:13]}{t[14:16]}{t[17:19]}Z",
    )


def log_key(
    account: str, region: str, delivered: int, suffix: str, *, org: bool = False, kind: str = ""
) -> str:
    """The key of a log file (``kind`` "" for CloudTrail, "-Insight" for Insights)."""
    folder, stamp = _dated(delivered)
    name = f"{account}_CloudTrail{kind}_{region}_{stamp[:13]}Z_{suffix}.json.gz"
    return f"{_prefix(account, org)}/CloudTrail{kind}/{region}/{folder}/{name}"


def digest_key(account: str, region: str, trail: str, end: int) -> str:
    """The key of the digest file that closes at ``end``."""
    folder, stamp = _dated(end)
    name = f"{account}_CloudTrail-Digest_{region}_{trail}_{region}_{stamp}.json.gz"
    return f"AWSLogs/{account}/CloudTrail-Digest/{region}/{folder}/{name}"


def writability_check_key(account: str) -> str:
    """The key of the small file written to test that the bucket accepts objects."""
    return f"AWSLogs/{account}/CloudTrail/{WRITABILITY_CHECK}"


@dataclass(frozen=True, slots=True)
class DigestFile:
    """A digest as CloudTrail writes it: its key, uncompressed content and signature (hex)."""

    key: str
    content: bytes
    signature: str


def digest_documents(
    account: str,
    region: str,
    trail: str,
    files: list[LogFile],
    signer: rsa.RSAPrivateKey,
    count: int,
) -> list[DigestFile]:
    """Hourly digests for the first ``count`` hours in which ``files`` were delivered, chained
    and signed as CloudTrail does: each names the previous one by the SHA-256 of its
    uncompressed content and by its signature, and signs its own data signing string."""
    by_hour: dict[int, list[LogFile]] = {}
    for f in sorted(files, key=lambda f: (f.delivered, f.key)):
        by_hour.setdefault(f.delivered // 3600, []).append(f)
    out: list[DigestFile] = []
    previous: DigestFile | None = None
    for hour in sorted(by_hour)[:count]:
        start, end = hour * 3600, hour * 3600 + 3600
        logs = by_hour[hour]
        key = digest_key(account, region, trail, end)
        document: dict[str, Any] = {
            "awsAccountId": account,
            "digestStartTime": iso(start),
            "digestEndTime": iso(end),
            "digestS3Bucket": LOG_BUCKET,
            "digestS3Object": key,
            "digestPublicKeyFingerprint": fingerprint(signer),
            "digestSignatureAlgorithm": "SHA256withRSA",
            "newestEventTime": max(f.newest for f in logs),
            "oldestEventTime": min(f.oldest for f in logs),
            "previousDigestS3Bucket": LOG_BUCKET if previous else None,
            "previousDigestS3Object": previous.key if previous else None,
            "previousDigestHashValue": (
                hashlib.sha256(previous.content).hexdigest() if previous else None
            ),
            "previousDigestHashAlgorithm": "SHA-256" if previous else None,
            "previousDigestSignature": previous.signature if previous else None,
            "logFiles": [
                {
                    "s3Bucket": LOG_BUCKET,
                    "s3Object": f.key,
                    "hashValue": f.sha256,
                    "hashAlgorithm": "SHA-256",
                    "newestEventTime": f.newest,
                    "oldestEventTime": f.oldest,
                }
                for f in logs
            ],
        }
        content = orjson.dumps(document)
        text = signing_string(
            iso(end), LOG_BUCKET, key, content, previous.signature if previous else None
        )
        digest = DigestFile(key, content, sign(signer, text))
        out.append(digest)
        previous = digest
    return out
