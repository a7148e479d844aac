"""Digest files built the way CloudTrail builds them, signed with a test RSA key, then checked."""

from __future__ import annotations

import gzip
import hashlib
from base64 import b64encode
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import orjson
import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from tests.conftest import make_record
from trailhound.sources.digests import (
    DigestError,
    SignatureStatus,
    find_digest_files,
    load_digest_file,
    load_public_keys,
    parse_digest,
    save_digest_metadata,
    signing_string,
    verify_chain,
    verify_signature,
)

ACCOUNT = "111122223333"
REGION = "us-east-1"
BUCKET = "trail-bucket"
_KEYS: dict[str, rsa.RSAPrivateKey] = {}


def rsa_key(name: str = "main") -> rsa.RSAPrivateKey:
    """A 2048-bit RSA key, made once per name per session (key generation is the slow part)."""
    if name not in _KEYS:
        _KEYS[name] = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return _KEYS[name]


def public_key_list(*keys: rsa.RSAPrivateKey) -> bytes:
    """What ``aws cloudtrail list-public-keys`` prints for these keys."""
    entries = []
    for key in keys:
        der = key.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.PKCS1
        )
        entries.append(
            {
                "Value": b64encode(der).decode(),
                "ValidityStartTime": "2026-01-01T00:00:00Z",
                "ValidityEndTime": "2027-01-01T00:00:00Z",
                "Fingerprint": hashlib.md5(der).hexdigest(),
            }
        )
    return orjson.dumps({"PublicKeyList": entries})


def _stamp(when: datetime) -> str:
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class Trail:
    """Delivers log files and hourly digest files into ``root`` in CloudTrail's S3 layout."""

    root: Path
    key: rsa.RSAPrivateKey = field(default_factory=rsa_key)
    account: str = ACCOUNT
    region: str = REGION
    name: str = "main-trail"
    previous: tuple[str, str, str] | None = None  # key, SHA-256 and signature of the last digest
    counter: int = 0

    def log_file(self, when: datetime, events: int = 2) -> tuple[Path, str, str]:
        """Deliver a log file; returns its path, S3 key and SHA-256 of its uncompressed content."""
        unique = f"{self.counter:016x}"
        self.counter += 1
        # Event IDs unique across trails: a known ID with other content is a conflict.
        records = [
            make_record(
                self.counter * 100 + i,
                eventTime=_stamp(when),
                awsRegion=self.region,
                eventID=f"{self.account}-{self.region}-{self.counter:08d}-{i:04d}",
            )
            for i in range(events)
        ]
        content = orjson.dumps({"Records": records})
        key = (
            f"AWSLogs/{self.account}/CloudTrail/{self.region}/{when:%Y/%m/%d}/"
            f"{self.account}_CloudTrail_{self.region}_{when:%Y%m%dT%H%MZ}_{unique}.json.gz"
        )
        path = self.root / key
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(gzip.compress(content))
        return path, key, hashlib.sha256(content).hexdigest()

    def digest(
        self,
        start: datetime,
        files: list[tuple[Path, str, str]],
        *,
        signer: rsa.RSAPrivateKey | None = None,
        previous_hash: str | None = None,
        sidecar: str = "signature",
    ) -> Path:
        """Deliver the digest of the hour from ``start``, signed, chained to the previous one."""
        end = start + timedelta(hours=1)
        der = self.key.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.PKCS1
        )
        key = (
            f"AWSLogs/{self.account}/CloudTrail-Digest/{self.region}/{end:%Y/%m/%d}/"
            f"{self.account}_CloudTrail-Digest_{self.region}_{self.name}_{REGION}_"
            f"{end:%Y%m%dT%H%M%SZ}.json.gz"
        )
        prev_key, prev_hash, prev_signature = self.previous or (None, None, None)
        doc = {
            "awsAccountId": self.account,
            "digestStartTime": _stamp(start),
            "digestEndTime": _stamp(end),
            "digestS3Bucket": BUCKET,
            "digestS3Object": key,
            "digestPublicKeyFingerprint": hashlib.md5(der).hexdigest(),
            "digestSignatureAlgorithm": "SHA256withRSA",
            "newestEventTime": _stamp(end - timedelta(minutes=1)),
            "oldestEventTime": _stamp(start),
            "previousDigestS3Bucket": BUCKET if prev_key else None,
            "previousDigestS3Object": prev_key,
            "previousDigestHashValue": previous_hash or prev_hash,
            "previousDigestHashAlgorithm": "SHA-256" if prev_key else None,
            "previousDigestSignature": prev_signature,
            "logFiles": [
                {
                    "s3Bucket": BUCKET,
                    "s3Object": s3_key,
                    "hashValue": sha,
                    "hashAlgorithm": "SHA-256",
                    "newestEventTime": _stamp(end - timedelta(minutes=5)),
                    "oldestEventTime": _stamp(start),
                }
                for _, s3_key, sha in files
            ],
        }
        content = orjson.dumps(doc)
        content_hash = hashlib.sha256(content).hexdigest()
        signed = f"{_stamp(end)}\n{BUCKET}/{key}\n{content_hash}\n{prev_signature or 'null'}"
        signature = (
            (signer or self.key).sign(signed.encode(), padding.PKCS1v15(), hashes.SHA256()).hex()
        )
        path = self.root / key
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(gzip.compress(content))
        if sidecar == "signature":
            path.with_name(path.name + ".signature").write_text(signature)
        elif sidecar == "meta":
            save_digest_metadata(
                path, {"signature": signature, "signature-algorithm": "SHA256withRSA"}
            )
        self.previous = (key, content_hash, signature)
        return path


def hour_start(days_ago: int = 1) -> datetime:
    """The start of an hour ``days_ago`` days before the current one."""
    return datetime.now(UTC).replace(minute=0, second=0, microsecond=0) - timedelta(days=days_ago)


def three_hours(
    trail: Trail, start: datetime
) -> tuple[list[Path], list[list[tuple[Path, str, str]]]]:
    """Two log files per hour for three hours, and the three digests listing them."""
    digests, files = [], []
    for hour in range(3):
        begin = start + timedelta(hours=hour)
        batch = [trail.log_file(begin + timedelta(minutes=m)) for m in (5, 35)]
        digests.append(trail.digest(begin, batch))
        files.append(batch)
    return digests, files


def test_a_clean_chain_of_three_signed_digests_verifies(tmp_path: Path) -> None:
    trail = Trail(tmp_path)
    paths, files = three_hours(trail, hour_start())
    keys = load_public_keys(public_key_list(rsa_key("other"), trail.key))
    digests = [load_digest_file(p) for p in find_digest_files([tmp_path])]
    assert [d.end_time for d in digests] == sorted(d.end_time for d in digests)
    assert [verify_signature(d, keys).status for d in digests] == [SignatureStatus.VALID] * 3
    assert verify_chain(digests) == []
    first = digests[0]
    assert (first.account, first.region, first.trail) == (ACCOUNT, REGION, "main-trail@us-east-1")
    assert first.previous_signature is None
    assert [f.sha256 for f in first.log_files] == [sha for _, _, sha in files[0]]
    assert signing_string(first).split("\n")[1:] == [
        f"{BUCKET}/{first.key}",
        hashlib.sha256(gzip.decompress(paths[0].read_bytes())).hexdigest(),
        "null",
    ]
    assert signing_string(digests[1]).endswith("\n" + str(first.signature))


def test_a_tampered_previous_hash_breaks_the_chain(tmp_path: Path) -> None:
    trail = Trail(tmp_path)
    start = hour_start()
    trail.digest(start, [trail.log_file(start)])
    trail.digest(start + timedelta(hours=1), [], previous_hash="0" * 64)
    trail.digest(start + timedelta(hours=2), [])
    digests = [load_digest_file(p) for p in find_digest_files([tmp_path])]
    breaks = verify_chain(digests)
    assert [b.digest.end_time for b in breaks] == [start + timedelta(hours=2)]
    assert "previous digest hash 0000" in breaks[0].detail


def test_a_deleted_digest_breaks_the_chain(tmp_path: Path) -> None:
    trail = Trail(tmp_path)
    paths, _ = three_hours(trail, hour_start())
    paths[1].unlink()
    digests = [load_digest_file(p) for p in find_digest_files([tmp_path])]
    (only,) = verify_chain(digests)
    assert only.digest.key == digests[1].key
    assert "names previous digest" in only.detail


def test_a_changed_digest_or_signature_is_a_bad_signature(tmp_path: Path) -> None:
    trail = Trail(tmp_path)
    start = hour_start()
    path = trail.digest(start, [trail.log_file(start)])
    keys = load_public_keys(public_key_list(trail.key))
    sidecar = path.with_name(path.name + ".signature")
    good = sidecar.read_text()
    sidecar.write_text(("0" if good[0] != "0" else "1") + good[1:])
    check = verify_signature(load_digest_file(path), keys)
    assert check.status is SignatureStatus.BAD_SIGNATURE
    sidecar.write_text(good)
    doc = orjson.loads(gzip.decompress(path.read_bytes()))
    doc["logFiles"][0]["hashValue"] = "f" * 64  # a forger rewriting the listed hash
    path.write_bytes(gzip.compress(orjson.dumps(doc)))
    assert verify_signature(load_digest_file(path), keys).status is SignatureStatus.BAD_SIGNATURE


def test_signature_statuses_without_keys_signature_or_matching_key(tmp_path: Path) -> None:
    trail = Trail(tmp_path)
    start = hour_start()
    signed = trail.digest(start, [], signer=trail.key)
    unsigned = trail.digest(start + timedelta(hours=1), [], sidecar="none")
    via_meta = trail.digest(start + timedelta(hours=2), [], sidecar="meta")
    other = load_public_keys(public_key_list(rsa_key("other")))
    own = load_public_keys(public_key_list(trail.key))
    assert verify_signature(load_digest_file(signed), None).status is (
        SignatureStatus.NO_PUBLIC_KEYS
    )
    wrong = verify_signature(load_digest_file(signed), other)
    assert wrong.status is SignatureStatus.NO_MATCHING_KEY
    assert wrong.status.value == "no matching public key"
    assert verify_signature(load_digest_file(unsigned), own).status is SignatureStatus.UNSIGNED
    assert verify_signature(load_digest_file(via_meta), own).status is SignatureStatus.VALID


def test_a_digest_signed_by_another_key_fails(tmp_path: Path) -> None:
    trail = Trail(tmp_path)
    path = trail.digest(hour_start(), [], signer=rsa_key("other"))
    keys = load_public_keys(public_key_list(trail.key, rsa_key("other")))
    assert verify_signature(load_digest_file(path), keys).status is SignatureStatus.BAD_SIGNATURE


def test_unreadable_inputs_raise_digest_errors(tmp_path: Path) -> None:
    with pytest.raises(DigestError):
        parse_digest(gzip.compress(b'{"awsAccountId": "1"}'), path="x.json.gz")
    with pytest.raises(DigestError):
        parse_digest(b"\x1f\x8bnot gzip")
    with pytest.raises(DigestError):
        load_public_keys(b'{"PublicKeyList": [{"Value": "@@"}]}')
