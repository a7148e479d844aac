"""Where trailhound keeps its data: the Parquet lake, the state database, locks and secrets.

The directory is private: created 0700 (the command line also sets a 0077 umask, so that every
file in it is 0600), because it holds the audit trail of whole AWS organizations.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import platformdirs

ENV_VAR = "TRAILHOUND_DATA_DIR"
LAKE_ENV_VAR = "TRAILHOUND_LAKE"  # s3://bucket/prefix: the events on object storage


@dataclass(frozen=True, slots=True)
class DataDir:
    """The layout of one data directory."""

    root: Path
    # Where the events live when not under ``root`` (``s3://bucket/prefix``, see
    # ``store.s3_lake``); the state database, locks and scratch space stay under ``root``.
    lake_uri: str | None = None

    @property
    def lake(self) -> Path:
        """Root of the Parquet lake of events."""
        return self.root / "lake"

    @property
    def events(self) -> Path:
        """Hive-partitioned event files: ``events/date=…/account=…/*.parquet``."""
        return self.lake / "events"

    @property
    def ip_enrichment(self) -> Path:
        """What the intel lists say about each source address seen (see ``store.enrichment``)."""
        return self.lake / "ip_enrichment"

    @property
    def intel(self) -> Path:
        """Intel lists installed with ``trailhound intel update``, compiled (see ``intel``)."""
        return self.root / "intel"

    @property
    def staging(self) -> Path:
        """Where files are written before they are renamed into the lake."""
        return self.lake / "_staging"

    @property
    def state_db(self) -> Path:
        """The DuckDB database for everything that is not an event."""
        return self.root / "state.duckdb"

    @property
    def write_lock(self) -> Path:
        """The lock file that serializes commits across processes (see ``store.lock``)."""
        return self.root / "write.lock"

    @property
    def publish_lock(self) -> Path:
        """The lock file readers share while listing the lake (see ``store.lock``)."""
        return self.lake / "publish.lock"

    @property
    def secrets(self) -> Path:
        """Encrypted secrets (external IDs), outside the state database (see ``store.secrets``)."""
        return self.root / "secrets.json"

    @property
    def secret_key(self) -> Path:
        """The key that encrypts ``secrets``."""
        return self.root / "secret.key"

    @property
    def rules(self) -> Path:
        """Rules added to this data directory (uploaded through the API), run beside the pack."""
        return self.root / "rules"

    @property
    def cache(self) -> Path:
        """What can be made again from the rest (compiled query plans): safe to delete."""
        return self.root / "cache"

    @property
    def tmp(self) -> Path:
        """Scratch space: DuckDB's spill files, downloads being ingested."""
        return self.root / "tmp"

    def ensure(self) -> DataDir:
        """Create the directories (0700) if they do not exist yet."""
        if not self.root.exists():
            self.root.mkdir(mode=0o700, parents=True, exist_ok=True)
        for folder in (self.lake, self.events, self.staging):
            folder.mkdir(mode=0o700, exist_ok=True)
        return self


def resolve_data_dir(option: str | Path | None = None) -> DataDir:
    """The data directory from ``--data-dir``, else ``$TRAILHOUND_DATA_DIR``, else the user's;
    its lake on S3 if ``$TRAILHOUND_LAKE`` names one."""
    lake_uri = os.environ.get(LAKE_ENV_VAR) or None
    if option:
        return DataDir(Path(option).expanduser().resolve(), lake_uri)
    env = os.environ.get(ENV_VAR)
    if env:
        return DataDir(Path(env).expanduser().resolve(), lake_uri)
    return DataDir(Path(platformdirs.user_data_dir("trailhound", appauthor=False)), lake_uri)
