"""Spark's reader of a lake on object storage, without Hadoop's S3 connector.

Spark reads ``s3a://`` through ``hadoop-aws`` and the AWS SDK bundle, two jars that PySpark's
wheel does not carry and that only Maven serves (which locked-down hosts cannot reach). So the
Spark engine reads an ``s3://bucket/prefix`` lake the way the DuckDB engine does: through
``pyarrow.fs.S3FileSystem``, here inside a Spark Python data source (Spark 4's
``pyspark.sql.datasource``). The driver lists the lake once per snapshot (the same listing the
DuckDB engine reads); each Spark task reads a few of the listed files with pyarrow and hands
Spark Arrow record batches, so the files are read where the tasks run, in parallel.

On a cluster the executors must have trailhound installed (they import this module) and reach
the bucket: credentials from the usual AWS chain (an instance profile, or the ``AWS_*``
variables), a custom endpoint from ``AWS_ENDPOINT_URL_S3`` / ``AWS_ENDPOINT_URL``, as for
:func:`trailhound.store.s3_lake.s3_filesystem`.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import orjson
import pyarrow as pa
from pyspark.sql.datasource import DataSource, DataSourceReader, InputPartition

from trailhound.schema import ALL_COLUMNS
from trailhound.store.spark_schema import lake_schema, spark_ready

SOURCE_NAME = "trailhound_s3_lake"
# Files one Spark task reads: a lake's files are up to a few hundred MB after compaction and a
# few MB before it; a handful per task keeps tasks short and their number sensible.
FILES_PER_TASK = 4
_COLUMNS = [c.name for c in ALL_COLUMNS]


class LakeFiles(InputPartition):
    """The lake files (``bucket/key``) one task reads."""

    def __init__(self, files: Sequence[str]) -> None:
        super().__init__(list(files))
        self.files = list(files)


class S3LakeSource(DataSource):
    """``spark.read.format("trailhound_s3_lake").option("uri", …).option("files", …)``: the
    events of the listed files of the lake at ``uri``, with the lake's schema (partition
    columns from the folder names). ``files`` is a JSON list of ``bucket/key`` paths."""

    @classmethod
    def name(cls) -> str:
        return SOURCE_NAME

    def schema(self) -> str:
        return lake_schema()

    def reader(self, schema: Any) -> S3LakeReader:
        return S3LakeReader(str(self.options["uri"]), orjson.loads(self.options["files"]))


class S3LakeReader(DataSourceReader):
    """Splits the listed files into tasks and reads each task's files with pyarrow."""

    def __init__(self, uri: str, files: Sequence[str]) -> None:
        self.uri = uri
        self.files = list(files)

    def partitions(self) -> list[LakeFiles]:
        chunks = range(0, len(self.files), FILES_PER_TASK)
        return [LakeFiles(self.files[i : i + FILES_PER_TASK]) for i in chunks]

    def read(self, partition: InputPartition) -> Iterator[pa.RecordBatch]:
        # Imported in the task (an executor's Python worker), where the file system is opened.
        from trailhound.store.s3_lake import lake_dataset, lake_root, s3_filesystem

        assert isinstance(partition, LakeFiles)
        dataset = lake_dataset(s3_filesystem(), lake_root(self.uri), partition.files)
        for batch in dataset.to_batches(columns=_COLUMNS):
            yield spark_ready(batch)
