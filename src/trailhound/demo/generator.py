"""Write a deterministic, realistic CloudTrail bucket: log files, Insights, digests, stories.

The run is planned first (how many records each account, region and time window gets, and
which files hold the attack stories), then every file is written from its own random source
seeded by the run's seed and the file's place in the plan. Nothing depends on the wall clock or
on the order files are written in, so a seed always yields the same bytes.
"""

from __future__ import annotations

import hashlib
import math
import pathlib
import random
import zlib
from bisect import bisect
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from itertools import accumulate
from typing import Any

import orjson

from trailhound.demo.activity import Activity
from trailhound.demo.events import SPAN_SECONDS, Ctx
from trailhound.demo.insights import insight_files
from trailhound.demo.layout import (
    WRITABILITY_TEXT,
    LogFile,
    digest_documents,
    log_key,
    random_suffix,
    writability_check_key,
)
from trailhound.demo.population import ORG_TRAIL_ACCOUNT, Population, Site, build_population
from trailhound.demo.stories import StoryRecord, tell_stories

SLOT_SECONDS = 300  # CloudTrail delivers about every five minutes
SLOTS = SPAN_SECONDS // SLOT_SECONDS
TARGET_PER_FILE = 400
MAX_PER_FILE = 1000
GZIP_LEVEL = 5
DIGEST_SITE = ("production", "us-east-1")
DIGEST_TRAIL = "acme-production-audit"
DIGEST_COUNT = 3


@dataclass(frozen=True)
class DemoSummary:
    """What ``generate_demo`` wrote."""

    events: int  # records written in CloudTrail log files (excluding insight events)
    insight_events: int
    files: int  # log files written (incl. insight files, excluding digests/checks)
    skipped_files: int  # digest files + ConfigWritabilityCheckFile written
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


def _slot_weights() -> list[float]:
    """Relative activity per five-minute slot: busier in working hours and on weekdays."""
    weights = []
    for slot in range(SLOTS):
        sec = slot * SLOT_SECONDS
        day, hour = sec // 86400, (sec % 86400) / 3600
        human = 0.15 + 0.85 * math.exp(-(((hour - 15.5) / 4.5) ** 2))
        if day % 7 in (0, 6):  # the epoch is a Sunday
            human *= 0.3
        weights.append(0.45 + human)
    return weights


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
    population: Population,
    background: int,
    stories: list[StoryRecord],
    seed: int,
    cumulative: list[float],
) -> list[_FileSpec]:
    rng = random.Random(f"{seed}/plan")
    sites = population.sites
    per_site = _apportion(background, [s.weight * rng.uniform(0.85, 1.15) for s in sites])
    specs: list[_FileSpec] = []
    for index, (site, total) in enumerate(zip(sites, per_site, strict=True)):
        width = max(1, SLOTS // max(1, round(total / TARGET_PER_FILE)))
        windows = [(s, min(s + width, SLOTS)) for s in range(0, SLOTS, width)]
        weights = [(cumulative[e] - cumulative[s]) * rng.uniform(0.7, 1.3) for s, e in windows]
        counts = _apportion(total, weights)
        mine = [r for r in stories if (r.alias, r.region) == (site.alias, site.region)]
        for (start, end), count in zip(windows, counts, strict=True):
            held = [r for r in mine if start * SLOT_SECONDS <= r.sec < end * SLOT_SECONDS]
            if not count and not held:
                continue
            parts = max(1, math.ceil(count / MAX_PER_FILE))
            for part, share in enumerate(_apportion(count, [1.0] * parts)):
                specs.append(_FileSpec(index, start, end, part, share, held if part == 0 else []))
    return specs


def _compress(records: list[dict[str, Any]]) -> bytes:
    return zlib.compress(orjson.dumps({"Records": records}), GZIP_LEVEL, wbits=31)


class _Writer:
    """Writes the files of one run below ``outdir``, creating folders once."""

    def __init__(self, outdir: pathlib.Path) -> None:
        self.outdir = outdir
        self._folders: set[pathlib.Path] = set()

    def put(self, key: str, data: bytes) -> None:
        path = self.outdir / key
        if path.parent not in self._folders:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._folders.add(path.parent)
        path.write_bytes(data)


def _log_file(
    spec: _FileSpec, site: Site, activity: Activity, seed: int, cumulative: list[float]
) -> tuple[str, int, bytes, list[dict[str, Any]]]:
    """The key, delivery time, compressed bytes and records of one planned log file."""
    rng = random.Random(f"{seed}/{site.account}/{site.region}/{spec.start}/{spec.part}")
    low, high = cumulative[spec.start], cumulative[spec.end]
    span = high - low
    last = spec.end - 1
    times = []
    for _ in range(spec.count):
        slot = min(bisect(cumulative, low + rng.random() * span) - 1, last)
        times.append(slot * SLOT_SECONDS + rng.randrange(SLOT_SECONDS))
    times.sort()
    ctx = Ctx(rng, seed, site)
    records = []
    for sec in times:
        ctx.at(sec)
        records.append(activity.record(ctx))
    if spec.stories:
        records += [r.record for r in spec.stories]
        records.sort(key=lambda r: r["eventTime"])  # stable: a story keeps its own order
    newest = max([*times[-1:], *(r.sec for r in spec.stories)])
    delivered = max(spec.end * SLOT_SECONDS, newest) + rng.randrange(120, 540)
    org = site.account == ORG_TRAIL_ACCOUNT
    key = log_key(site.account, site.region, delivered, random_suffix(rng), org=org)
    return key, delivered, _compress(records), records


def _iter_logs(
    specs: list[_FileSpec], population: Population, seed: int, cumulative: list[float]
) -> Iterator[tuple[int, str, int, bytes, list[dict[str, Any]]]]:
    activities = [Activity(site) for site in population.sites]
    for spec in specs:
        site = population.sites[spec.site]
        yield spec.site, *_log_file(spec, site, activities[spec.site], seed, cumulative)


def generate_demo(
    outdir: pathlib.Path,
    events: int = 20_000,
    seed: int = 7,
    *,
    progress: Callable[[int], None] | None = None,
) -> DemoSummary:
    """Write a demo CloudTrail bucket of exactly ``events`` records below ``outdir``."""
    if events < 0:
        raise ValueError(f"events must be zero or more, not {events}")
    population = build_population(seed)
    stories, story_records = tell_stories(population, seed, events)
    cumulative = [0.0, *accumulate(_slot_weights())]
    specs = _plan(population, events - len(story_records), story_records, seed, cumulative)
    writer = _Writer(pathlib.Path(outdir))
    digest_site = population.sites.index(population.site(*DIGEST_SITE))
    hashed: list[LogFile] = []
    written = files = 0
    for site_index, key, delivered, data, records in _iter_logs(
        specs, population, seed, cumulative
    ):
        writer.put(key, data)
        files += 1
        written += len(records)
        if site_index == digest_site:
            times = [r["eventTime"] for r in records]
            hashed.append(
                LogFile(key, hashlib.sha256(data).hexdigest(), delivered, min(times), max(times))
            )
        if progress is not None:
            progress(len(records))
    insights = insight_files(population, seed)
    rng = random.Random(f"{seed}/delivery")
    for account, region, delivered, record in insights:
        key = log_key(account, region, delivered, random_suffix(rng), kind="-Insight")
        writer.put(key, _compress([record]))
        files += 1
    site = population.site(*DIGEST_SITE)
    digests = digest_documents(site.account, site.region, DIGEST_TRAIL, hashed, rng, DIGEST_COUNT)
    for key, document in digests:
        writer.put(key, zlib.compress(orjson.dumps(document), GZIP_LEVEL, wbits=31))
    writer.put(writability_check_key(site.account), WRITABILITY_TEXT)
    return DemoSummary(
        events=written,
        insight_events=len(insights),
        files=files,
        skipped_files=len(digests) + 1,
        accounts=tuple(dict.fromkeys(s.account for s in population.sites)),
        regions=tuple(sorted({s.region for s in population.sites})),
        stories=stories,
    )
