"""The demo trail's digest signing key, and what CloudTrail publishes of its keys.

CloudTrail signs each digest file with SHA256withRSA over its "data signing string" and
publishes the public keys (``aws cloudtrail list-public-keys``). The demo does the same with a
key of its own, made from the seed (the same seed, the same key and bytes): its public half is
written beside the demo bucket in ``list-public-keys`` form, so that ``trailhound ledger
--public-keys`` checks the demo's signatures as it would CloudTrail's. The private half is never
written anywhere; it signs demo data only.
"""

from __future__ import annotations

import functools
import hashlib
import random
from base64 import b64encode

import orjson
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

_PUBLIC_EXPONENT = 65537
_PRIME_BITS = 512  # two of them: a 1024-bit key (CloudTrail's are 2048), quick to make per seed
# Odd primes below 2,000: dividing by them rules out most candidates without a modular power.
_SMALL_PRIMES = tuple(
    n for n in range(3, 2000, 2) if all(n % d for d in range(3, int(n**0.5) + 1, 2))
)


def _probably_prime(n: int, rng: random.Random, rounds: int = 16) -> bool:
    """Miller–Rabin: whether ``n`` is prime, wrong with odds below 4**-rounds (far below, for
    random 1024-bit candidates; and the key signs demo data only)."""
    if any(n % p == 0 for p in _SMALL_PRIMES):
        return n in _SMALL_PRIMES
    d, s = n - 1, 0
    while d % 2 == 0:
        d, s = d // 2, s + 1
    for _ in range(rounds):
        x = pow(rng.randrange(2, n - 1), d, n)
        if x in (1, n - 1):
            continue
        for _ in range(s - 1):
            x = pow(x, 2, n)
            if x == n - 1:
                break
        else:
            return False
    return True


def _prime(rng: random.Random) -> int:
    while True:
        candidate = rng.getrandbits(_PRIME_BITS) | (3 << (_PRIME_BITS - 2)) | 1
        if (candidate - 1) % _PUBLIC_EXPONENT and _probably_prime(candidate, rng):
            return candidate


@functools.cache
def demo_key(seed: int) -> rsa.RSAPrivateKey:
    """The demo trail's RSA key for ``seed`` (made from it: the same seed, the same key)."""
    rng = random.Random(f"{seed}/digest-key")
    p = _prime(rng)
    q = _prime(rng)
    while q == p:
        q = _prime(rng)
    d = pow(_PUBLIC_EXPONENT, -1, (p - 1) * (q - 1))
    numbers = rsa.RSAPrivateNumbers(
        p=p,
        q=q,
        d=d,
        dmp1=d % (p - 1),
        dmq1=d % (q - 1),
        iqmp=pow(q, -1, p),
        public_numbers=rsa.RSAPublicNumbers(_PUBLIC_EXPONENT, p * q),
    )
    return numbers.private_key()


def _public_der(key: rsa.RSAPrivateKey) -> bytes:
    """The public key as CloudTrail publishes it: DER, PKCS#1."""
    return key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.PKCS1
    )


def fingerprint(key: rsa.RSAPrivateKey) -> str:
    """The key's fingerprint as digests name it (``digestPublicKeyFingerprint``)."""
    return hashlib.md5(_public_der(key), usedforsecurity=False).hexdigest()


def signing_string(
    end_time: str, bucket: str, key: str, content: bytes, previous: str | None
) -> str:
    """CloudTrail's data signing string of a digest whose uncompressed bytes are ``content``."""
    return "\n".join(
        (end_time, f"{bucket}/{key}", hashlib.sha256(content).hexdigest(), previous or "null")
    )


def sign(key: rsa.RSAPrivateKey, text: str) -> str:
    """The hex SHA256withRSA signature of ``text``, as S3 keeps it (``x-amz-meta-signature``)."""
    return key.sign(text.encode(), padding.PKCS1v15(), hashes.SHA256()).hex()


def public_key_list(key: rsa.RSAPrivateKey, start: str, end: str) -> bytes:
    """What ``aws cloudtrail list-public-keys`` prints for the demo key, valid from start to end."""
    entry = {
        "Value": b64encode(_public_der(key)).decode(),
        "ValidityStartTime": start,
        "ValidityEndTime": end,
        "Fingerprint": fingerprint(key),
    }
    return orjson.dumps({"PublicKeyList": [entry]}, option=orjson.OPT_INDENT_2) + b"\n"
