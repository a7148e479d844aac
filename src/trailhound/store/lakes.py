"""Which lake a data directory has: its own folder (``lake.ParquetLake``) or S3 (``s3_lake``).

Both lake kinds import the shared pieces of ``lake``; choosing between them is here, above both,
so neither imports the other.
"""

from __future__ import annotations

from trailhound.data_dir import DataDir
from trailhound.store.lake import EventLake, ParquetLake


def open_lake(data_dir: DataDir) -> EventLake:
    """The data directory's lake: on S3 when its ``lake_uri`` says so, else its own folder."""
    if data_dir.lake_uri:
        from trailhound.store.s3_lake import S3Lake  # pyarrow's S3 only when asked for

        return S3Lake(data_dir, data_dir.lake_uri)
    return ParquetLake(data_dir)
