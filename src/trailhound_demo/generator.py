"""Write a deterministic, realistic CloudTrail bucket: log files, Insights, digests, stories.

The run is planned first (how many records each account, region and time window gets, and
which files hold the attack stories), then every file is written from its own random source
seeded by the run's seed and the file's place in the plan. Nothing depends on the wall clock or
on the order files are written in, so a seed always yields the same bytes, whether one process
writes the files or several do.
"""

from __future__ import annotations

import functools
import hashlib
import math
import multiprocessing
import os
import pathlib
import random
import zlib
from bisect import bisect
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from itertools import accumulate
from typing import Any

import orjson

from trailhound_demo.activity import Activity
from trailhound_demo.clients import TOR_EXIT_ADDRESSES
from trailhound_demo.events import MAX_DAYS, SPAN_DAYS, Ctx
from trailhound_demo.insights import insight_files
from trailhound_demo.layout import (
    WRITABILITY_TEXT,
    LogFile,
    digest_documents,
    log_key,
    random_suffix,
    writability_check_key,
)
from trailhound_demo.organization import ORG_TRAIL_ACCOUNT, Population
from trailhound_demo.population import build_population
from trailhound_demo.signing import demo_key, public_key_list
from trailhound_demo.stories import StoryRecord, tell_stories

SLOT_SECONDS = 300  # CloudTrail delivers about every five minutes
TARGET_PER_FILE = 400
MAX_PER_FILE = 1000
MAX_WINDOW = 86400 // SLOT_SECONDS  # even a quiet account delivers a file a day
GZIP_LEVEL = 1  # compression is a third of the work; level 1 files are a tenth larger
PARALLEL_FROM = 100_000  # below this many events, starting worker processes costs more
DIGEST_SITE = ("production", "us-east-1")
DIGEST_TRAIL = "acme-production-audit"
DIGEST_COUNT = 3
# The demo key's public half in ``aws cloudtrail list-public-keys`` form, for ``ledger
# --public-keys``; not named .json, so that ingesting the demo folder skips it as no log file.
PUBLIC_KEYS_FILE = "cloudtrail-public-keys.txt"
SIGNATURE_SUFFIX = ".signature"  # a digest's signature beside it (see sources.digests)


@dataclass(frozen=True)
class DemoSummary:
    """What ``generate_demo`` wrote."""

    events: int  # records written in CloudTrail log files (excluding insight events)
    insight_events: int
    files: int  # log files written (incl. insight files, excluding digests/checks)
    # files ingest skips: digests and their signatures, the public keys, the writability check
    skipped_files: int
    accounts: tuple[str, ...]
    regions: tuple[str, ...]
    stories: tuple[str, ...]  # names of the attack stories included


@dataclass(slots=True)
class _FileSpec:
    """One log file of the plan: a site, a window of slots, how many background records."""

    site: int
    start: int
    end: int
    part: int
    count: int
    stories: list[StoryRecord] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class _Written:
    """A log file once written: what the summary, the progress bar and the digests need."""

    site: int
    records: int
    log: LogFile


def _slot_weights(days: int) -> list[float]:
    """Relative activity per five-minute slot: busier in working hours and on weekdays."""
    weights = []
    for slot in range(days * 86400 // SLOT_SECONDS):
        sec = slot * SLOT_SECONDS
        day, hour = sec // 86400, (sec % 86400) / 3600
        human = 0.15 + 0.85 * math.exp(-(((hour - 15.5) / 4.5) ** 2))
        if day % 7 in (0, 6):  # the epoch is a Sunday
            human *= 0.3
        weights.append(0.45 + human)
    return weights


@functools.cache
def cumulative_weights(days: int) -> tuple[float, ...]:
    """The running sum of the slot weights of a ``days`` long span (from 0)."""
    return (0.0, *accumulate(_slot_weights(days)))


def _apportion(total: int, weights: list[float]) -> list[int]:
    """Split ``total`` in proportion to ``weights``, exactly (largest remainders)."""
    whole = sum(weights)
    if total == 0 or whole <= 0:
        return [0] * len(weights)
    raw = [total * w / whole for w in weights]
    counts = [int(x) for x in raw]
    by_remainder = sorted(range(len(raw)), key=lambda i: (counts[i] - raw[i], i))
    for i in by_remainder[: total - sum(counts)]:
        counts[i] += 1
    return counts


def _plan(
    population: Population, background: int, stories: list[StoryRecord], seed: int, days: int
) -> list[_FileSpec]:
    """Every log file of the run, with its share of ``background`` records and of the stories."""
    rng = random.Random(f"{seed}/plan")
    cumulative = cumulative_weights(days)
    slots = len(cumulative) - 1
    sites = population.sites
    per_site = _apportion(background, [s.weight * rng.uniform(0.85, 1.15) for s in sites])
    specs: list[_FileSpec] = []
    for index, (site, total) in enumerate(zip(sites, per_site, strict=True)):
        width = min(MAX_WINDOW, max(1, slots // max(1, round(total / TARGET_PER_FILE))))
        windows = [(s, min(s + width, slots)) for s in range(0, slots, width)]
        weights = [(cumulative[e] - cumulative[s]) * rng.uniform(0.7, 1.3) for s, e in windows]
        mine = [r for r in stories if (r.alias, r.region) == (site.alias, site.region)]
        for (start, end), count in zip(windows, _apportion(total, weights), strict=True):
            held = [r for r in mine if start * SLOT_SECONDS <= r.sec < end * SLOT_SECONDS]
            if not count and not held:
                continue
            parts = max(1, math.ceil(count / MAX_PER_FILE))
            for part, share in enumerate(_apportion(count, [1.0] * parts)):
                specs.append(_FileSpec(index, start, end, part, share, held if part == 0 else []))
    return specs


def _gzip(document: object) -> bytes:
    """``document`` as one line of JSON, gzip-compressed without a timestamp in the header."""
    return zlib.compress(orjson.dumps(document), GZIP_LEVEL, wbits=31)


class _Writer:
    """Writes files below ``outdir``, creating each folder once."""

    def __init__(self, outdir: pathlib.Path) -> None:
        self.outdir = outdir
        self._folders: set[pathlib.Path] = set()

    def put(self, key: str, data: bytes) -> None:
        """Write ``data`` as the object ``key``."""
        path = self.outdir / key
        if path.parent not in self._folders:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._folders.add(path.parent)
        path.write_bytes(data)


class _LogMaker:
    """Builds and writes the planned log files of one run; one per process."""

    def __init__(self, outdir: pathlib.Path, seed: int, days: int) -> None:
        self.seed = seed
        self.cumulative = cumulative_weights(days)
        self.population = build_population(seed)
        self.activities = [Activity(site) for site in self.population.sites]
        self.sessions: list[dict[Any, Any]] = [{} for _ in self.population.sites]
        self.writer = _Writer(outdir)

    def make(self, spec: _FileSpec) -> _Written:
        """Write the file ``spec`` plans and say what it holds."""
        site = self.population.sites[spec.site]
        rng = random.Random(f"{self.seed}/{site.account}/{site.region}/{spec.start}/{spec.part}")
        cumulative = self.cumulative
        low, high = cumulative[spec.start], cumulative[spec.end]
        span, last, draw = high - low, spec.end - 1, rng.random
        times = sorted(
            min(bisect(cumulative, low + draw() * span) - 1, last) * SLOT_SECONDS
            + int(draw() * SLOT_SECONDS)
            for _ in range(spec.count)
        )
        sessions = self.sessions[spec.site]
        if len(sessions) > 4096:  # sessions last an hour; the plan walks forward in time
            sessions.clear()
        ctx = Ctx(rng, self.seed, site, sessions)
        activity = self.activities[spec.site]
        records = []
        for sec in times:
            ctx.at(sec)
            records.append(activity.record(ctx))
        if spec.stories:
            records += [r.record for r in spec.stories]
            records.sort(key=lambda r: str(r["eventTime"]))  # stable: stories keep their order
        newest = max([*times[-1:], *(r.sec for r in spec.stories)])
        delivered = max(spec.end * SLOT_SECONDS, newest) + 120 + int(draw() * 420)
        org = site.account == ORG_TRAIL_ACCOUNT
        key = log_key(site.account, site.region, delivered, random_suffix(rng), org=org)
        content = orjson.dumps({"Records": records})
        self.writer.put(key, zlib.compress(content, GZIP_LEVEL, wbits=31))
        stamps = [str(r["eventTime"]) for r in (records[0], records[-1])]
        log = LogFile(key, hashlib.sha256(content).hexdigest(), delivered, stamps[0], stamps[1])
        return _Written(spec.site, len(records), log)


_WORKER: list[_LogMaker] = []


def _start_worker(outdir: pathlib.Path, seed: int, days: int) -> None:
    _WORKER.append(_LogMaker(outdir, seed, days))


def _work(spec: _FileSpec) -> _Written:
    return _WORKER[0].make(spec)


def _default_workers(events: int) -> int:
    if events < PARALLEL_FROM:
        return 1
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return max(1, min(cpus or 1, 4))


def _write_logs(
    outdir: pathlib.Path, seed: int, days: int, specs: list[_FileSpec], workers: int
) -> Iterator[_Written]:
    if workers <= 1:
        maker = _LogMaker(outdir, seed, days)
        yield from (maker.make(spec) for spec in specs)
        return
    # fork where there is one: spawn would re-run the caller's main module in every worker,
    # which breaks scripts that call generate_demo without an ``if __name__ == "__main__"`` guard
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
    with ProcessPoolExecutor(
        workers, mp_context=context, initializer=_start_worker, initargs=(outdir, seed, days)
    ) as pool:
        yield from pool.map(_work, specs, chunksize=4)


def _write_extras(
    writer: _Writer, population: Population, seed: int, hashed: list[LogFile]
) -> tuple[int, int]:
    """Write the Insights files, signed digests, the public key, the planted tampering and the
    writability check; the counts of Insights files and of the files ingest skips."""
    rng = random.Random(f"{seed}/delivery")
    insights = insight_files(population, seed)
    for account, region, delivered, record in insights:
        key = log_key(account, region, delivered, random_suffix(rng), kind="-Insight")
        writer.put(key, _gzip({"Records": [record]}))
    site = population.site(*DIGEST_SITE)
    signer = demo_key(seed)
    digests = digest_documents(
        site.account, site.region, DIGEST_TRAIL, hashed, signer, DIGEST_COUNT
    )
    for digest in digests:
        writer.put(digest.key, zlib.compress(digest.content, GZIP_LEVEL, wbits=31))
        # S3 keeps the signature in the object's metadata; on disk it goes beside the file.
        writer.put(digest.key + SIGNATURE_SUFFIX, digest.signature.encode())
    if digests:
        first, last = orjson.loads(digests[0].content), orjson.loads(digests[-1].content)
        start, end = first["digestStartTime"], last["digestEndTime"]
        writer.put(PUBLIC_KEYS_FILE, public_key_list(signer, start, end))
        _plant_tampering(writer, orjson.loads(digests[len(digests) // 2].content))
    writer.put(writability_check_key(site.account), WRITABILITY_TEXT)
    skipped = 2 * len(digests) + (1 if digests else 0) + 1
    return len(insights), skipped


def _plant_tampering(writer: _Writer, digest: dict[str, Any]) -> None:
    """Rewrite one log file a digest lists after its delivery: the same events in other bytes.

    The ledger must report it as modified, and nothing else: the planted case of the demo. The
    events stay as they were so that the rest of the demo (stories, counts) is unchanged.
    """
    key = str(digest["logFiles"][0]["s3Object"])
    records = orjson.loads(zlib.decompress((writer.outdir / key).read_bytes(), wbits=31))
    rewritten = b'{"Records":[' + b", ".join(orjson.dumps(r) for r in records["Records"]) + b"]}"
    writer.put(key, zlib.compress(rewritten, GZIP_LEVEL, wbits=31))


def generate_demo(
    outdir: pathlib.Path,
    events: int = 20_000,
    seed: int = 7,
    *,
    progress: Callable[[int], None] | None = None,
    workers: int | None = None,
    days: int = SPAN_DAYS,
) -> DemoSummary:
    """Write a demo CloudTrail bucket of exactly ``events`` records below ``outdir``, spread
    over ``days`` days; over more than a week the attack stories move to its last days (all of
    the intrusion's steps after the benign history a behavioural baseline learns from)."""
    if events < 0:
        raise ValueError(f"events must be zero or more, not {events}")
    if not SPAN_DAYS <= days <= MAX_DAYS:
        raise ValueError(f"days must be from {SPAN_DAYS} to {MAX_DAYS}, not {days}")
    outdir = pathlib.Path(outdir)
    population = build_population(seed)
    stories, story_records = tell_stories(population, seed, events, days)
    specs = _plan(population, events - len(story_records), story_records, seed, days)
    digest_site = population.sites.index(population.site(*DIGEST_SITE))
    hashed: list[LogFile] = []
    written = files = 0
    jobs = workers if workers is not None else _default_workers(events)
    for done in _write_logs(outdir, seed, days, specs, jobs):
        files += 1
        written += done.records
        if done.site == digest_site:
            hashed.append(done.log)
        if progress is not None:
            progress(done.records)
    insight_count, skipped = _write_extras(_Writer(outdir), population, seed, hashed)
    return DemoSummary(
        events=written,
        insight_events=insight_count,
        files=files + insight_count,
        skipped_files=skipped,
        accounts=tuple(dict.fromkeys(s.account for s in population.sites)),
        regions=tuple(sorted({s.region for s in population.sites})),
        stories=stories,
    )


__all__ = ["TOR_EXIT_ADDRESSES", "DemoSummary", "generate_demo"]
