"""Where trailhound keeps its data: the Parquet lake and the state database."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import platformdirs

ENV_VAR = "TRAILHOUND_DATA_DIR"


@dataclass(frozen=True, slots=True)
class DataDir:
    """The layout of one data directory."""

    root: Path

    @property
    def lake(self) -> Path:
        """Root of the Parquet lake of events."""
        return self.root / "lake"

    @property
    def events(self) -> Path:
        """Hive-partitioned event files: ``events/date=…/account=…/*.parquet``."""
        return self.lake / "events"

    @property
    def staging(self) -> Path:
        """Where files are written before they are renamed into the lake."""
        return self.lake / "_staging"

    @property
    def state_db(self) -> Path:
        """The DuckDB database for everything that is not an event."""
        return self.root / "state.duckdb"

    def ensure(self) -> DataDir:
        """Create the directories if they do not exist yet."""
        self.events.mkdir(parents=True, exist_ok=True)
        self.staging.mkdir(parents=True, exist_ok=True)
        return self


def resolve_data_dir(option: str | Path | None = None) -> DataDir:
    """The data directory from ``--data-dir``, else ``$TRAILHOUND_DATA_DIR``, else the user's."""
    if option:
        return DataDir(Path(option).expanduser().resolve())
    env = os.environ.get(ENV_VAR)
    if env:
        return DataDir(Path(env).expanduser().resolve())
    return DataDir(Path(platformdirs.user_data_dir("trailhound", appauthor=False)))
