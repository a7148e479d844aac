"""THE decompressor: gzip members, size limits, damage, and the streaming hash."""

from __future__ import annotations

import doctest
import gzip
import hashlib
import os
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trailhound.sources import compression
from trailhound.sources.compression import CompressionError, decompress, file_sha256


def _gunzip_sha256(path: Path) -> str:
    with gzip.open(path, "rb") as handle:
        return hashlib.sha256(handle.read()).hexdigest()


def test_doctests() -> None:
    result = doctest.testmod(compression)
    assert result.attempted > 0 and result.failed == 0


def test_members_plain_data_and_damage() -> None:
    assert decompress(b'{"a": 1}', "f", 100) == (b'{"a": 1}', None)
    joined = gzip.compress(b"one") + gzip.compress(b"two")
    assert decompress(joined, "f", 100) == (b"one\ntwo", None)
    assert decompress(joined, "f", 100, separator=b"") == (b"onetwo", None)
    assert decompress(gzip.compress(b"x") + b"  \n", "f", 100) == (b"x", None)
    text, damage = decompress(gzip.compress(os.urandom(1000))[:-600], "f", 10_000)
    assert damage is not None and damage.reason.startswith("truncated gzip")
    assert damage.position == len(text) > 0  # what was read is kept, and where it ends said
    text, damage = decompress(gzip.compress(b"x") + b"junk", "f", 100)
    assert (text, damage and damage.reason) == (b"x", "trailing bytes after the gzip stream")
    body = gzip.compress(os.urandom(64))
    _, damage = decompress(body[:10] + bytes(b ^ 0xFF for b in body[10:30]) + body[30:], "f", 100)
    assert damage is not None and damage.reason.startswith("corrupt gzip")


def test_a_bomb_costs_the_limit_only() -> None:
    bomb = gzip.compress(b"\0" * 50_000_000, 9)
    assert len(bomb) < 100_000
    text, damage = decompress(bomb, "bomb", 1_000_000)
    assert text == b"" and damage is not None and damage.position is None
    assert damage.reason == "object larger than the size limit of 1000000 bytes"


def test_the_hash_is_of_the_uncompressed_content(tmp_path: Path) -> None:
    big = tmp_path / "big.json.gz"  # members larger than a read chunk, back to back
    big.write_bytes(
        gzip.compress(os.urandom(3000) + b"y" * 3_000_000) + gzip.compress(b"z") + b"\0" * 8
    )
    assert file_sha256(big) == _gunzip_sha256(big)
    plain = tmp_path / "plain.json"
    plain.write_bytes(b"{}" * 1_000_000)
    assert file_sha256(plain) == hashlib.sha256(plain.read_bytes()).hexdigest()
    empty = tmp_path / "empty.json"
    empty.write_bytes(b"")
    assert file_sha256(empty) == hashlib.sha256(b"").hexdigest()


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (gzip.compress(b"abc" * 100_000, mtime=0)[:-20], "truncated gzip"),
        (gzip.compress(b"a", mtime=0) + b"zz", "trailing bytes"),
        (gzip.compress(b"a", mtime=0)[:12] + b"\xff" * 30, "corrupt gzip"),
    ],
    ids=["truncated", "trailing", "corrupt"],
)
def test_damage_is_an_error_not_a_hash(tmp_path: Path, body: bytes, reason: str) -> None:
    path = tmp_path / "bad.json.gz"
    path.write_bytes(body)
    with pytest.raises(CompressionError, match=reason):
        file_sha256(path)


def test_the_hash_stops_at_the_limit(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.json.gz"
    bomb.write_bytes(gzip.compress(b"\0" * 20_000_000, 9))
    with pytest.raises(CompressionError, match="more than 1000000 bytes"):
        file_sha256(bomb, 1_000_000)
    assert file_sha256(bomb, 20_000_000) == _gunzip_sha256(bomb)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.binary(max_size=3000), min_size=1, max_size=4))
def test_any_members_hash_as_gunzip_does(
    tmp_path_factory: pytest.TempPathFactory, parts: list[bytes]
) -> None:
    path = tmp_path_factory.mktemp("h") / "f.gz"
    path.write_bytes(b"".join(gzip.compress(p) for p in parts))
    assert file_sha256(path) == hashlib.sha256(b"".join(parts)).hexdigest()
    text, damage = decompress(path.read_bytes(), "f", 1 << 20, separator=b"")
    assert (text, damage) == (b"".join(parts), None)
