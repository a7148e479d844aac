"""CloudTrail digest files: parse them, check their signatures and the chain they form.

A digest file (``AWSLogs/<acct>/CloudTrail-Digest/<region>/YYYY/MM/DD/…json.gz``, one per hour,
trail and region) lists the SHA-256 of every log file delivered in its hour and names the
previous digest by its hash and signature. Its own signature is not inside the file: S3 keeps it
in the object metadata ``x-amz-meta-signature`` (hex). Files on disk have lost that metadata,
so the signature is looked for beside the digest file, in this order:

1. ``<digest file>.meta.json``, the object's S3 metadata as saved by ``save_digest_metadata``
   (``{"signature": "<hex>", "signature-algorithm": "SHA256withRSA", "source": "s3://…"}``),
   which the SQS collector writes beside each digest it keeps;
2. ``<digest file>.signature`` — the hex signature alone (e.g. written by hand from
   ``aws s3api head-object``).

Without either the digest is "unsigned": its log-file hashes and chain are still checked.
Public keys come from a saved ``aws cloudtrail list-public-keys`` output (``load_public_keys``).

The collector keeps digests as ``<data_dir>/digests/<bucket>/<version>_<name>``
(``stored_digest_name``): ``<version>`` is a hash of the object's S3 name, content and
signature and ``<name>`` its file name reduced to safe characters. The raw key never becomes a
path, a redelivery lands on the same file, and every other version or copy of a digest (a
forger's) is kept beside it for the ledger to compare.
"""

from __future__ import annotations

import hashlib
import re
from base64 import b64decode
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from itertools import pairwise
from pathlib import Path
from typing import Any

import orjson
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from trailhound.errors import SourceError
from trailhound.sources.compression import decompress
from trailhound.sources.names import ObjectKind, parse_name

_UNSAFE_NAME = re.compile(r"[^A-Za-z0-9._-]")
_NAME_CHARS = 160  # of a stored digest's file name, after its version hash
DIGEST_MAX_BYTES = 32 * 1024 * 1024  # a digest lists an hour's files: a few MB at most
_CONTENT_MAX_BYTES = 8 * DIGEST_MAX_BYTES  # uncompressed
SIGNATURE_ALGORITHM = "SHA256withRSA"


class DigestError(SourceError):
    """A digest file or a public-key list could not be read."""


class SignatureStatus(StrEnum):
    """The outcome of checking one digest's signature."""

    VALID = "valid"
    UNSIGNED = "unsigned"  # no signature beside the file
    NO_PUBLIC_KEYS = "no public keys"  # none supplied: not checked
    NO_MATCHING_KEY = "no matching public key"
    BAD_SIGNATURE = "bad signature"


@dataclass(frozen=True, slots=True)
class DigestLogFile:
    """One log file a digest lists, with the SHA-256 of its uncompressed content."""

    bucket: str
    key: str
    sha256: str

    @property
    def name(self) -> str:
        """The file name, which is unique per delivered log file."""
        return self.key.rsplit("/", 1)[-1]


@dataclass(frozen=True, slots=True)
class Digest:
    """A parsed digest file and what is known about it from outside (signature, location)."""

    account: str
    region: str
    trail: str
    start_time: datetime
    end_time: datetime
    end_time_text: str  # digestEndTime as written: it is part of the signed data
    bucket: str
    key: str
    public_key_fingerprint: str
    signature_algorithm: str
    previous_bucket: str | None
    previous_key: str | None
    previous_hash: str | None
    previous_signature: str | None
    log_files: tuple[DigestLogFile, ...]
    content_sha256: str  # of the uncompressed digest file
    signature: str | None = None  # hex, from the S3 metadata or a sidecar
    path: str = ""
    source: str | None = None  # the s3://bucket/key the collector fetched this copy from

    @property
    def uri(self) -> str:
        """``s3://bucket/key`` of the digest itself."""
        return f"s3://{self.bucket}/{self.key}"

    @property
    def chain(self) -> tuple[str, str, str]:
        """What a chain of digests is kept per: account, region, trail."""
        return (self.account, self.region, self.trail)


@dataclass(frozen=True, slots=True)
class PublicKey:
    """One CloudTrail public key: its DER bytes (PKCS#1) and fingerprint."""

    fingerprint: str
    der: bytes


@dataclass(frozen=True, slots=True)
class SignatureCheck:
    """The signature status of one digest, with the reason."""

    status: SignatureStatus
    detail: str = ""


@dataclass(frozen=True, slots=True)
class ChainBreak:
    """A digest whose link to the previous one does not hold."""

    digest: Digest
    detail: str


def _text(doc: Mapping[str, Any], field: str) -> str | None:
    value = doc.get(field)
    return None if value is None else str(value)


def parse_digest(
    data: bytes, *, signature: str | None = None, path: str = "", source: str | None = None
) -> Digest:
    """Parse a digest file's bytes (gzip or not) into a ``Digest``."""
    if len(data) > DIGEST_MAX_BYTES:
        raise DigestError(f"{path or 'digest'}: larger than {DIGEST_MAX_BYTES} bytes")
    content, damage = decompress(data, path or "digest", _CONTENT_MAX_BYTES, separator=b"")
    if damage is not None:
        raise DigestError(f"{path or 'digest'}: not a readable digest file: {damage.reason}")
    try:
        doc = orjson.loads(content)
        key = str(doc["digestS3Object"])
        end_text = str(doc["digestEndTime"])
        name = parse_name(key)
        files = tuple(
            DigestLogFile(str(f["s3Bucket"]), str(f["s3Object"]), str(f["hashValue"]).lower())
            for f in doc.get("logFiles") or ()
        )
        return Digest(
            account=str(doc["awsAccountId"]),
            region=name.region or "unknown",
            trail=name.trail or "unknown",
            start_time=datetime.fromisoformat(str(doc["digestStartTime"])),
            end_time=datetime.fromisoformat(end_text),
            end_time_text=end_text,
            bucket=str(doc["digestS3Bucket"]),
            key=key,
            public_key_fingerprint=str(doc.get("digestPublicKeyFingerprint") or "").lower(),
            signature_algorithm=str(doc.get("digestSignatureAlgorithm") or SIGNATURE_ALGORITHM),
            previous_bucket=_text(doc, "previousDigestS3Bucket"),
            previous_key=_text(doc, "previousDigestS3Object"),
            previous_hash=(_text(doc, "previousDigestHashValue") or "").lower() or None,
            previous_signature=(_text(doc, "previousDigestSignature") or "").lower() or None,
            log_files=files,
            content_sha256=hashlib.sha256(content).hexdigest(),
            signature=signature.strip().lower() if signature else None,
            path=path,
            source=source,
        )
    except (OSError, EOFError, orjson.JSONDecodeError, KeyError, TypeError, ValueError) as error:
        raise DigestError(f"{path or 'digest'}: not a readable digest file: {error}") from error


def _sidecar(path: Path) -> tuple[str | None, str | None]:
    """The signature and the S3 source of a digest file, from the files beside it."""
    signature: str | None = None
    source: str | None = None
    meta = path.with_name(path.name + ".meta.json")
    if meta.is_file():
        try:
            values = orjson.loads(meta.read_bytes())
        except orjson.JSONDecodeError as error:
            raise DigestError(f"{meta}: not JSON: {error}") from error
        if not isinstance(values, dict):
            raise DigestError(f"{meta}: not a JSON object")
        found = values.get("signature") or values.get("x-amz-meta-signature")
        signature = str(found) if found else None
        source = str(values["source"]) if values.get("source") else None
    plain = path.with_name(path.name + ".signature")
    if signature is None and plain.is_file():
        signature = plain.read_text().strip() or None
    return signature, source


def load_digest_file(path: Path) -> Digest:
    """Read a digest file from disk, with its signature from a sidecar when there is one."""
    try:
        if path.stat().st_size > DIGEST_MAX_BYTES:
            raise DigestError(f"{path}: larger than {DIGEST_MAX_BYTES} bytes")
        data = path.read_bytes()
    except OSError as error:
        raise DigestError(f"{path}: cannot read: {error}") from error
    signature, source = _sidecar(path)
    return parse_digest(data, signature=signature, path=str(path), source=source)


def stored_digest_name(uri: str, content_sha256: str, signature: str | None) -> str:
    """The file name the collector keeps a digest object under (see the module docstring).

    >>> stored_digest_name("s3://b/a/../../x_CloudTrail-Digest_y.json.gz", "0" * 64, None)[32:]
    '_x_CloudTrail-Digest_y.json.gz'
    """
    version = hashlib.sha256(f"{uri}\n{content_sha256}\n{signature or ''}".encode()).hexdigest()
    name = _UNSAFE_NAME.sub("_", uri.rsplit("/", 1)[-1])[-_NAME_CHARS:]
    if parse_name(name).kind is not ObjectKind.DIGEST or not name.endswith((".json", ".json.gz")):
        name = f"CloudTrail-Digest_{name}.json"  # still found (and read) as a digest
    return f"{version[:32]}_{name}"


def save_digest_metadata(
    path: Path, metadata: Mapping[str, str], *, source: str | None = None
) -> None:
    """Keep a digest object's S3 metadata (boto3 ``Metadata``) and source beside the saved file."""
    wanted: dict[str, str] = {k: v for k, v in metadata.items() if k.startswith("signature")}
    if source is not None:
        wanted["source"] = source
    if wanted:
        path.with_name(path.name + ".meta.json").write_bytes(orjson.dumps(wanted))


def is_digest_file_name(name: str) -> bool:
    """Whether a file name is a digest's own, not the metadata or signature kept beside it."""
    return (
        "_CloudTrail-Digest_" in name
        and name.endswith((".json.gz", ".json"))
        and not name.endswith(".meta.json")
    )


def keep_digest_file(path: Path, folder: Path) -> Path | None:
    """Keep a copy of a local digest file (and its signature) in ``folder`` for the ledger.

    Ingest meets digest files beside the log files it reads and skips them; a copy under the
    data directory lets ``trailhound ledger`` check against them later, with or without the
    original folder. The copy is named as the collector names its own (``stored_digest_name``):
    the same file kept twice lands on the same name. None when ``path`` is not a digest's own
    file (its sidecar); a digest over the size limit or unreadable raises ``DigestError``.
    """
    if not is_digest_file_name(path.name):
        return None
    try:
        if path.stat().st_size > DIGEST_MAX_BYTES:
            raise DigestError(f"{path}: larger than {DIGEST_MAX_BYTES} bytes")
        data = path.read_bytes()
    except OSError as error:
        raise DigestError(f"{path}: cannot read: {error}") from error
    signature, _ = _sidecar(path)
    content = hashlib.sha256(data).hexdigest()
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    target = folder / stored_digest_name(path.name, content, signature)
    if not target.exists():
        partial = target.with_name(target.name + ".partial")
        partial.write_bytes(data)
        if signature:
            save_digest_metadata(target, {"signature": signature})
        partial.replace(target)
    return target


def find_digest_files(roots: Iterable[Path]) -> Iterator[Path]:
    """Every digest file under ``roots``, in path order."""
    for root in roots:
        if root.is_file():
            yield root
            continue
        for path in sorted(root.rglob("*_CloudTrail-Digest_*")):
            if is_digest_file_name(path.name) and path.is_file():
                yield path


def load_public_keys(data: bytes) -> list[PublicKey]:
    """The keys of a saved ``aws cloudtrail list-public-keys`` output."""
    try:
        doc = orjson.loads(data)
        entries = doc["PublicKeyList"] if isinstance(doc, dict) else doc
        keys = []
        for entry in entries:
            der = b64decode(entry["Value"], validate=True)
            serialization.load_der_public_key(der)  # refuse what cannot verify anything
            keys.append(PublicKey(hashlib.md5(der).hexdigest(), der))
    except (orjson.JSONDecodeError, KeyError, TypeError, ValueError) as error:
        raise DigestError(f"not a list-public-keys output: {error}") from error
    return keys


def signing_string(digest: Digest) -> str:
    """The data CloudTrail signs for a digest (the "data signing string")."""
    return "\n".join(
        (
            digest.end_time_text,
            f"{digest.bucket}/{digest.key}",
            digest.content_sha256,
            digest.previous_signature or "null",
        )
    )


def verify_signature(digest: Digest, keys: Sequence[PublicKey] | None) -> SignatureCheck:
    """Check a digest's signature against the public key its fingerprint names."""
    if not digest.signature:
        return SignatureCheck(SignatureStatus.UNSIGNED, "no signature beside the digest file")
    if not keys:
        return SignatureCheck(SignatureStatus.NO_PUBLIC_KEYS, "no public keys supplied")
    key = next((k for k in keys if k.fingerprint == digest.public_key_fingerprint), None)
    if key is None:
        return SignatureCheck(
            SignatureStatus.NO_MATCHING_KEY,
            f"no public key with fingerprint {digest.public_key_fingerprint or '(none)'}",
        )
    if digest.signature_algorithm != SIGNATURE_ALGORITHM:
        return SignatureCheck(
            SignatureStatus.BAD_SIGNATURE, f"unsupported algorithm {digest.signature_algorithm}"
        )
    try:
        public = serialization.load_der_public_key(key.der)
        if not isinstance(public, rsa.RSAPublicKey):
            raise DigestError(f"public key {key.fingerprint} is not an RSA key")
        public.verify(
            bytes.fromhex(digest.signature),
            signing_string(digest).encode(),
            padding.PKCS1v15(),
            hashes.SHA256(),
        )
    except (InvalidSignature, ValueError) as error:
        reason = "does not match the data signing string" if not str(error) else str(error)
        return SignatureCheck(SignatureStatus.BAD_SIGNATURE, f"signature {reason}")
    return SignatureCheck(SignatureStatus.VALID)


def verify_chain(digests: Iterable[Digest]) -> list[ChainBreak]:
    """Check that each digest names its predecessor's hash and signature, per trail and region.

    A digest without previous fields starts a chain (logging was started); the oldest digest of
    each chain held here has no predecessor to compare with.
    """
    chains: dict[tuple[str, str, str], list[Digest]] = {}
    for digest in digests:
        chains.setdefault(digest.chain, []).append(digest)
    breaks: list[ChainBreak] = []
    for members in chains.values():
        members.sort(key=lambda d: d.end_time)
        for previous, current in pairwise(members):
            if current.previous_hash is None and current.previous_key is None:
                continue
            problems = []
            if current.previous_key is not None and current.previous_key != previous.key:
                problems.append(f"names previous digest {current.previous_key}, not {previous.key}")
            elif current.previous_hash != previous.content_sha256:
                problems.append(
                    f"previous digest hash {current.previous_hash} != "
                    f"{previous.content_sha256} of {previous.key}"
                )
            if previous.signature and current.previous_signature != previous.signature:
                problems.append(f"previous digest signature differs from that of {previous.key}")
            if problems:
                breaks.append(ChainBreak(current, "; ".join(problems)))
    return breaks
