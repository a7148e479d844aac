"""The Spark backend: the same compiled queries, run by Apache Spark over the same Parquet lake.

An optional extra (``pip install 'trailhound[spark]'``: PySpark 4, which needs Java 17). The
session runs in local mode (``local[2]``) unless given a master (``--spark-master
spark://host:7077``, ``yarn``, ``k8s://…``) or a Spark Connect server (``SPARK_REMOTE`` or
``--spark-master sc://host:15002``); the files must then be readable at the same paths by the
cluster.

The datasets are the DuckDB engine's, under the same names, as temporary views:

- ``cloudtrail`` reads the lake's files as :meth:`ParquetLake.files` lists them, the snapshot the
  DuckDB engine reads too: files a compaction's journal retires are left out, so both engines
  see every event once. The partition columns ``date`` and ``account`` come from the folder
  names, typed by the schema (an explicit schema also keeps Spark from sampling every file).
- Like DuckDB's, ``cloudtrail`` joins the intel enrichment table (``store.enrichment``: the
  ``src_*`` columns) on ``source_ip_address``, by the same SELECT rendered for Spark; its files
  stay in the data directory, wherever the cluster runs, so they must be readable there too.
- ``cloud_audit_logs`` is the same SELECT as DuckDB's, rendered for Spark.
- The state tables a query names are copied from the state database (DuckDB → Arrow → Spark)
  the first time a query reads them, without their secret columns.

Both engines run in UTC. Spark 4 runs SQL in ANSI mode: the Spark dialect renders the compiled
query so that it means the same under it (``query.dialects``); this backend runs the text.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import sys
import time
from collections.abc import Mapping, Sequence
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

import orjson
import pyarrow as pa
import sqlglot
from sqlglot import exp

from trailhound.data_dir import DataDir
from trailhound.errors import QueryError, StoreError
from trailhound.schema import (
    ENRICHMENT_COLUMNS,
    EVENT_COLUMNS,
    PARTITION_COLUMNS,
    PROMOTED_COLUMNS,
    promoted_path,
)
from trailhound.store.base import QueryResult
from trailhound.store.engine import LAKE_VIEWS, cloud_audit_logs_sql
from trailhound.store.lake import PROMOTED_PREFIX, ParquetLake
from trailhound.store.spark_schema import enrichment_schema, lake_schema, spark_ready
from trailhound.store.state import StateDB

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

DEFAULT_MASTER = "local[2]"
REMOTE_ENV = "SPARK_REMOTE"
INSTALL_HINT = "pip install 'trailhound[spark]'"
JAVA_OPTIONS = "spark.driver.extraJavaOptions"
JAVA_HINT = "Spark needs Java 17 (Debian: apt-get install openjdk-17-jre-headless)"
# Every session, local or remote: UTC like DuckDB; SQL may not read files by path.
SESSION_SETTINGS = {
    "spark.sql.session.timeZone": "UTC",
    "spark.sql.runSQLOnFiles": "false",
}
# A local session only: small shuffles for one machine's cores, no web UI, no progress bars,
# and a log configuration that keeps the JVM's start-up chatter off the terminal.
LOCAL_SETTINGS = {
    "spark.sql.shuffle.partitions": "8",
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    "spark.driver.memory": "2g",
}
PARTITION_NAMES = tuple(c.name for c in PARTITION_COLUMNS)
# The views ``cloudtrail`` is built on: the lake's events and the enrichment table's rows.
EVENTS_VIEW = "trailhound_lake_events"
ENRICHMENT_VIEW = "trailhound_ip_enrichment"
_MISSING_FILE = ("FILE_NOT_EXIST", "FileNotFoundException")
# What the S3 lake's reader tasks need to reach the bucket as this process does.
S3_SETTINGS = (
    "AWS_ENDPOINT_URL",
    "AWS_ENDPOINT_URL_S3",
    "AWS_REGION",
    "AWS_DEFAULT_REGION",
    "AWS_EC2_METADATA_DISABLED",
)
S3_CREDENTIALS = ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE")
_REFRESH_ATTEMPTS = 5
_MESSAGE_CHARS = 2_000


class SparkUnavailableError(StoreError):
    """PySpark (or the Java it runs on) is not installed."""


def _require_pyspark() -> None:
    try:
        import pyspark  # noqa: F401
    except ImportError as error:
        raise SparkUnavailableError(
            f"the Spark engine needs PySpark: {INSTALL_HINT} ({JAVA_HINT})"
        ) from error


def spark_session(
    master: str | None = None, settings: Mapping[str, str] | None = None
) -> SparkSession:
    """A Spark session for ``master``: ``sc://…`` or ``$SPARK_REMOTE`` connect to a Spark
    Connect server, anything else is a classic master (default ``local[2]``). ``settings`` add
    to (or override) the local defaults. In a process that already runs Spark (a notebook, a
    test run) the running session is returned, whatever the master."""
    _require_pyspark()
    from pyspark.sql import SparkSession

    remote = os.environ.get(REMOTE_ENV)
    if master and remote:
        raise SparkUnavailableError(f"give either --spark-master or ${REMOTE_ENV}, not both")
    builder = SparkSession.builder.appName("trailhound")
    target = master or remote or DEFAULT_MASTER
    local = target.startswith("local")
    if target.startswith("sc://"):
        builder = builder.remote(target)
    else:
        if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
            raise SparkUnavailableError(f"no java on PATH and no JAVA_HOME: {JAVA_HINT}")
        builder = builder.master(target)
    chosen = {**(LOCAL_SETTINGS if local else {}), **(settings or {})}
    if local and not os.environ.get("PYSPARK_PYTHON"):
        # Python tasks (the S3 lake's reader) run on this interpreter, where trailhound is
        # installed; PySpark reads the variable when the session starts ("python3" otherwise).
        os.environ["PYSPARK_PYTHON"] = sys.executable
    if local:
        log_config = resources.files("trailhound") / "data" / "spark-log4j2.properties"
        java = f"-Dlog4j2.configurationFile={log_config} " + chosen.get(JAVA_OPTIONS, "")
        chosen[JAVA_OPTIONS] = java.strip()
    for key, value in chosen.items():
        builder = builder.config(key, value)
    try:
        session = builder.getOrCreate()
    except Exception as error:  # the JVM or the server did not come up: say why, briefly
        raise SparkUnavailableError(
            f"cannot start Spark ({target}): {_first_lines(error)}; {JAVA_HINT}"
        ) from error
    if local:
        # PySpark resets the level to WARN when the JVM starts; a failed query's stack trace
        # would repeat on the terminal what the QueryError says.
        session.sparkContext.setLogLevel("FATAL")
    return session


def _running_session() -> SparkSession | None:
    """The classic session this process already runs, if any (never a Spark Connect one)."""
    if importlib.util.find_spec("pyspark") is None:
        return None
    from pyspark.sql import SparkSession

    return SparkSession.getActiveSession()


def _first_lines(error: BaseException) -> str:
    """The message of a Spark error without the JVM's stack frames, cut to a readable size."""
    lines = [line.strip() for line in str(error).splitlines()]
    text = " ".join(line for line in lines if line and not line.startswith(("at ", "...")))
    return text[:_MESSAGE_CHARS] + ("…" if len(text) > _MESSAGE_CHARS else "")


def _spark_errors() -> tuple[type[Exception], ...]:
    """What a failing query raises: PySpark's errors, and py4j's where the JVM's error reaches
    Python unconverted (a classic session's Arrow collection does that)."""
    from pyspark.errors import PySparkException

    try:
        from py4j.protocol import Py4JError
    except ImportError:  # a Spark Connect client has no py4j
        return (PySparkException,)
    return (PySparkException, Py4JError)


def cloudtrail_sql() -> str:
    """The Spark SELECT behind ``cloudtrail``: DuckDB's, the events with their ``src_*``
    fields (an address's row picked once, so that a duplicate row multiplies no event)."""
    from trailhound.store.enrichment import with_enrichment_sql

    fields = ", ".join(f"any_value({c.name}) AS {c.name}" for c in ENRICHMENT_COLUMNS)
    rows = f"(SELECT source_ip_address, {fields} FROM {ENRICHMENT_VIEW} GROUP BY source_ip_address)"
    select = with_enrichment_sql(EVENTS_VIEW, rows)
    return sqlglot.transpile(select, read="duckdb", write="spark")[0]


class SparkBackend:
    """Runs compiled queries with Apache Spark over one data directory's lake and state."""

    name: ClassVar[str] = "spark"
    dialect: ClassVar[str] = "spark"

    def __init__(
        self,
        data_dir: DataDir,
        *,
        master: str | None = None,
        session: SparkSession | None = None,
    ) -> None:
        self.data_dir = data_dir
        self.lake = ParquetLake(data_dir)
        self.state = StateDB(data_dir.state_db)
        session = session or (None if master else _running_session())
        self._owns_session = session is None
        if session is None:
            self.session = spark_session(master)
        else:
            # A session of its own (views, settings) on the caller's Spark, which stays up.
            self.session = session.newSession()
        for key, value in SESSION_SETTINGS.items():
            self.session.conf.set(key, value)
        self._loaded: set[str] = set()  # state tables copied into the session (lower case)
        self._absent: set[str] = set()  # names a query read that the state database lacks
        self.refresh()

    @classmethod
    def open(cls, data_dir: DataDir, *, master: str | None = None) -> SparkBackend:
        """A backend over ``data_dir`` on the cluster ``master`` (see :func:`spark_session`)."""
        return cls(data_dir, master=master)

    # Views ---------------------------------------------------------------------------------
    def refresh(self) -> None:
        """(Re)create the lake's views over a new snapshot of its files."""
        self._lake_frame().createOrReplaceTempView(EVENTS_VIEW)
        self._enrichment_frame().createOrReplaceTempView(ENRICHMENT_VIEW)
        self.session.sql(cloudtrail_sql()).createOrReplaceTempView("cloudtrail")
        audit = sqlglot.transpile(cloud_audit_logs_sql(), read="duckdb", write="spark")[0]
        self.session.sql(audit).createOrReplaceTempView("cloud_audit_logs")

    def _lake_frame(self) -> DataFrame:
        if self.data_dir.lake_uri:
            return self._s3_lake_frame(self.data_dir.lake_uri)
        schema = lake_schema()
        files = self.lake.files()
        if not files:
            return self.session.createDataFrame([], schema)
        from pyspark.sql import functions as F

        reader = self.session.read.schema(schema).option("basePath", _uri(self.lake.root))
        # DuckDB's order: the files' columns, then the partition columns by name.
        order = [*(c.name for c in EVENT_COLUMNS), *sorted(PARTITION_NAMES)]
        current = [f for f in files if f.name.startswith(PROMOTED_PREFIX)]
        older = [f for f in files if not f.name.startswith(PROMOTED_PREFIX)]
        frames = []
        if current:
            frames.append(reader.parquet(*(_uri(f) for f in current)).select(*order))
        if older:
            # Written before the promoted columns existed: they are read from the JSON parts,
            # the text DuckDB's JSON lookup gives for them (``lake.files_sql``).
            filled = {
                c.name: F.get_json_object(F.col(part), path)
                for c in PROMOTED_COLUMNS
                for part, path in [promoted_path(c)]
            }
            frame = reader.parquet(*(_uri(f) for f in older)).withColumns(filled)
            frames.append(frame.select(*order))
        combined = frames[0]
        for frame in frames[1:]:
            combined = combined.unionByName(frame)
        return combined

    def _s3_lake_frame(self, uri: str) -> DataFrame:
        """The events of a lake on S3, read by Spark's tasks through pyarrow
        (``store.spark_s3``), one row per event like the DuckDB engine's S3 relation."""
        from pyspark.sql import Window
        from pyspark.sql import functions as F

        from trailhound.store.s3_lake import FIRST_STORED, S3Lake
        from trailhound.store.spark_s3 import SOURCE_NAME, S3LakeSource

        files = S3Lake(self.data_dir, uri).files()
        if not files:
            return self.session.createDataFrame([], lake_schema())
        self._share_s3_settings()
        self.session.dataSource.register(S3LakeSource)
        frame = (
            self.session.read.format(SOURCE_NAME)
            .option("uri", uri)
            .option("files", orjson.dumps(files).decode())
            .load()
        )
        # Several writers may have stored one event: keep its first stored copy.
        first = Window.partitionBy("event_id").orderBy(*FIRST_STORED.split(", "))
        kept = frame.withColumn("_copy", F.row_number().over(first)).where("_copy = 1")
        order = [*(c.name for c in EVENT_COLUMNS), *sorted(PARTITION_NAMES)]
        return kept.select(*order)

    def _share_s3_settings(self) -> None:
        """Hand the S3 reader's tasks this process's view of S3: its endpoint and region
        always; on a local session (same host, same user) its credentials too. A cluster's
        executors use their own credentials (an instance profile, their own variables).
        A Spark Connect client has no context to hand them through: the server's apply."""
        try:
            context = self.session.sparkContext
        except Exception:  # Spark Connect: no SparkContext on the client
            return
        local = str(context.master).startswith("local")
        for name in S3_SETTINGS + (S3_CREDENTIALS if local else ()):
            value = os.environ.get(name)
            if value:
                context.environment[name] = value
            else:
                context.environment.pop(name, None)

    def _enrichment_frame(self) -> DataFrame:
        """The live rows of the enrichment table (none before it was first built)."""
        from trailhound.store.enrichment import EnrichmentFiles

        schema = enrichment_schema()
        _, files = EnrichmentFiles(self.data_dir).snapshot()
        if not files:
            return self.session.createDataFrame([], schema)
        return self.session.read.schema(schema).parquet(*(_uri(f) for f in files))

    def _load_state(self, names: set[str]) -> None:
        """Copy the state tables among ``names`` into the session, once each."""
        wanted = {n.lower() for n in names} - LAKE_VIEWS - self._loaded - self._absent
        if not wanted:
            return
        copies = self.state.queryable_tables(wanted)
        for name, table in copies.items():
            self.session.createDataFrame(spark_ready(table)).createOrReplaceTempView(name)
            self._loaded.add(name.lower())
        self._absent |= wanted - {n.lower() for n in copies}

    # Queries -------------------------------------------------------------------------------
    def arrow(self, text: str, params: Sequence[object] = ()) -> pa.Table:
        """Run one query (Spark SQL text); returns its rows as an Arrow table."""
        errors = _spark_errors()
        self._load_state(_tables_read(text))
        for attempt in range(_REFRESH_ATTEMPTS):
            try:
                frame = self.session.sql(text, args=list(params) if params else None)
                return frame.toArrow()
            except errors as error:
                message = _first_lines(error)
                # A file of the snapshot was compacted away since: take a new snapshot.
                if any(m in message for m in _MISSING_FILE) and attempt < _REFRESH_ATTEMPTS - 1:
                    time.sleep(0.05 * attempt)
                    self.refresh()
                    continue
                raise QueryError(f"query failed on Spark: {message}") from error
        raise AssertionError("unreachable")  # pragma: no cover

    def execute(self, query: str, params: Sequence[object] = ()) -> QueryResult:
        """Run one query (Spark SQL text); returns columns and rows."""
        table = self.arrow(query, params)
        columns = [table.column(i).to_pylist() for i in range(table.num_columns)]
        rows: list[tuple[Any, ...]] = list(zip(*columns, strict=True)) if columns else []
        return QueryResult(columns=list(table.column_names), rows=rows)

    def close(self) -> None:
        """Stop the session this backend started; a borrowed one only loses its views."""
        if self._owns_session:
            self.session.stop()
        else:
            views = ("cloudtrail", "cloud_audit_logs", EVENTS_VIEW, ENRICHMENT_VIEW)
            for view in (*views, *self._loaded):
                self.session.catalog.dropTempView(view)

    def __enter__(self) -> SparkBackend:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


def _tables_read(query: str) -> set[str]:
    """The unqualified table names a query reads (its CTEs left out)."""
    try:
        trees = sqlglot.parse(query, read="spark")
        found = [t for t in trees if t is not None]
        tables = {t.name for tree in found for t in tree.find_all(exp.Table) if not t.db}
        ctes = {c.alias for tree in found for c in tree.find_all(exp.CTE)}
    except (sqlglot.errors.SqlglotError, RecursionError):
        return set()  # Spark itself will say what it cannot read
    return {name for name in tables - ctes if name}


def _uri(path: Path) -> str:
    """A local path as Hadoop reads it: ``file://`` and the path as it is (Hadoop parses the
    string itself; percent-encoding, as ``Path.as_uri`` does, would name another file)."""
    return "file://" + str(path)
