"""THE way the API reaches the product: one ``Product`` per server, handed to every route.

Everything a route needs (the data directory, a query engine, the alert store, the
integrations, detection, the keys, the push source and the ingest loop it feeds) comes from
here, so that the API moves onto the shared application object by changing this module only.
"""

from __future__ import annotations

import logging
import threading
from concurrent.futures import BrokenExecutor, Executor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from fastapi import Request

from trailhound.api.collectors import Collectors
from trailhound.api.keys import KeyStore
from trailhound.api.limits import DEFAULT_BODY_LIMIT, DEFAULT_INGEST_LIMIT
from trailhound.api.users import UserStore
from trailhound.app import Trailhound
from trailhound.data_dir import DataDir
from trailhound.sources.push import PushSource
from trailhound.store.state import StateDB

if TYPE_CHECKING:
    from trailhound.api.query_workers import Rows
    from trailhound.detect.base import BatchContext, RuleSet
    from trailhound.detect.detection import Detection
    from trailhound.incidents.alerts import AlertStore
    from trailhound.sources.aws.integrations import Integration
    from trailhound.store.integrations import IntegrationStore

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ServerSettings:
    """The server's knobs (``trailhound serve`` options)."""

    body_limit: int = DEFAULT_BODY_LIMIT
    ingest_limit: int = DEFAULT_INGEST_LIMIT
    row_cap: int = 10_000  # rows one query page may return
    query_seconds: float = 30.0  # a query running longer is interrupted
    # How long a push may wait to be stored while the ingest loop runs (a loop that stops fails
    # its pushes at once): the queue's bound, not this, is the back-pressure pushers see.
    push_timeout: float = 900.0
    detect: bool = True  # run detection on pushed and collected events, as ``ingest`` does
    ingest: bool = True  # run the ingest loop (off: the push endpoint answers 503)
    query_workers: int = 0  # query processes (0: threads of the server; ``serve`` uses 2)
    collect: bool = True  # collect the integrations' queues (the list is followed as it changes)
    collect_wait_seconds: int = 20  # the collector's long poll (also how long a stop may wait)
    collect_rescan_seconds: float = 5.0  # how often the collector reads the integrations again


class Product:
    """The data directory's parts the API serves, and the ingest loop behind push."""

    def __init__(self, data_dir: DataDir, settings: ServerSettings | None = None) -> None:
        self.data_dir = data_dir.ensure()
        self.settings = settings or ServerSettings()
        self.state = StateDB(data_dir.state_db)
        # The application the command line calls: routes moved onto it call it, not the store.
        self.app = Trailhound(self.data_dir)
        self.keys = KeyStore(self.state)
        self.users = UserStore(self.state)
        self.push = PushSource()
        self._queries: Executor | None = None
        self._queries_lock = threading.Lock()
        self._stop = threading.Event()
        self._loop: threading.Thread | None = None
        self._collectors: Collectors | None = None
        self.ingest_error: BaseException | None = None
        self.rules_generation = 0  # bumped when a route changes the rules
        self._rules_lock = threading.Lock()
        self._ruleset: RuleSet | None = None
        self._ruleset_signature: tuple[tuple[str, int, int], ...] = ()

    def rules_changed(self) -> None:
        """Tell the ingest loop's detection to load the rules again before its next batch."""
        self.rules_generation += 1

    # The parts ---------------------------------------------------------------------------
    def alerts(self) -> AlertStore:
        """The alert store, with the configured outputs."""
        from trailhound.incidents.alerts import AlertStore

        return AlertStore.for_data_dir(self.data_dir)

    def integrations(self) -> IntegrationStore:
        """The stored integrations."""
        from trailhound.store.integrations import IntegrationStore

        return IntegrationStore(self.state)

    def rule_dirs(self) -> list[Path]:
        """The rule folders beside the built-in pack: the data directory's own, if any."""
        return [self.data_dir.rules] if self.data_dir.rules.is_dir() else []

    def ruleset(self) -> RuleSet:
        """Every rule (pack and data directory), loaded again only when a rule file changed."""
        from trailhound.detect.engine import load_rules

        folders = self.rule_dirs()
        signature = tuple(
            sorted(
                (str(f), f.stat().st_mtime_ns, f.stat().st_size)
                for d in folders
                for f in d.rglob("*")
                if f.is_file()
            )
        )
        with self._rules_lock:
            if self._ruleset is None or signature != self._ruleset_signature:
                # Loading the pack takes seconds: once per change, not once per request.
                self._ruleset = load_rules(folders)
                self._ruleset_signature = signature
            return self._ruleset

    def detection(self) -> Detection:
        """Detection over the data directory (every registered detector, the rules detector on
        the cached rule set), raising alerts in its alert store."""
        from trailhound.detect.base import DETECTORS, DetectorContext
        from trailhound.detect.detection import Detection
        from trailhound.detect.rules_detector import SigmaDetector

        context = DetectorContext(
            self.data_dir, rule_dirs=tuple(self.rule_dirs()), run_started=datetime.now(UTC)
        )
        detectors = [
            SigmaDetector(context, ruleset=self.ruleset())
            if name == SigmaDetector.name
            else DETECTORS.get(name)(context)
            for name in DETECTORS.names()
        ]
        return Detection(self.data_dir, self.alerts(), detectors=detectors)

    def run_query(self, sql: str, *, user_sql: bool, limit: int = 0, offset: int = 0) -> Rows:
        """Run a query in a query worker within the time limit: (columns, rows)."""
        from trailhound.api.query_workers import query_executor, run_query

        with self._queries_lock:
            if self._queries is None:
                self._queries = query_executor(self.settings.query_workers)
            pool = self._queries
        seconds = self.settings.query_seconds
        future = pool.submit(
            run_query, str(self.data_dir.root), sql, user_sql, limit, offset, seconds
        )
        try:
            return future.result(timeout=seconds + 60)
        except BrokenExecutor:  # a worker died (out of memory): a fresh pool for the next one
            with self._queries_lock:
                if self._queries is pool:
                    self._queries = None
            pool.shutdown(wait=False, cancel_futures=True)
            raise

    # The ingest loop ---------------------------------------------------------------------
    @property
    def ingesting(self) -> bool:
        """Whether the ingest loop behind the push endpoint runs."""
        return self._loop is not None and self._loop.is_alive()

    @property
    def collecting(self) -> bool:
        """Whether any integration's queue is being collected now."""
        return self._collectors is not None and bool(self._collectors.names)

    @property
    def collect_error(self) -> BaseException | None:
        """The last error that stopped an integration's collection, if any."""
        errors = self._collectors.errors if self._collectors is not None else {}
        return next(reversed(errors.values()), None)

    def start(self) -> None:
        """Start the ingest loop that stores pushed events and the collector, which follows
        the integration list (each in a thread of this process, detecting on every batch)."""
        if self.settings.collect and self._collectors is None:
            self._collectors = Collectors(
                self.app, self._collect, rescan_seconds=self.settings.collect_rescan_seconds
            )
            self._collectors.start()
        if self._loop is not None or not self.settings.ingest:
            return
        self._loop = threading.Thread(target=self._run_ingest, name="push-ingest", daemon=True)
        self._loop.start()

    def _collect(self, integration: Integration, stop: threading.Event) -> None:
        """Collect one integration's queue until ``stop`` (or the server's) is set."""
        from trailhound.sources.aws.sqs import CollectorOptions

        options = CollectorOptions(wait_seconds=self.settings.collect_wait_seconds)
        self.app.collect([integration], options=options, stop=stop, detect=self.settings.detect)

    def _run_ingest(self) -> None:
        from trailhound.ingest import Ingestor

        try:
            detection = _ReloadingDetection(self) if self.settings.detect else None
            with Ingestor(self.data_dir, detection=detection) as ingestor:
                ingestor.ingest(self.push, stop=self._stop)
        except Exception as error:  # the server keeps answering; pushes get a 503
            self.ingest_error = error
            logger.error("push ingest stopped: %s", type(error).__name__, exc_info=error)
        finally:
            self.push.close()

    def stop(self) -> None:
        """Stop the ingest loop after the batches it holds; waiting pushes are failed."""
        self._stop.set()
        if self._loop is not None:
            self._loop.join(timeout=60)
        if self._collectors is not None:
            self._collectors.stop(timeout=self.settings.collect_wait_seconds + 60)
        self.push.close()
        if self._queries is not None:
            self._queries.shutdown(wait=True, cancel_futures=True)


class _ReloadingDetection:
    """The ingest loop's detection, built again when a route changed the rules."""

    def __init__(self, owner: Product) -> None:
        self.owner = owner
        self.generation = owner.rules_generation
        self.current = owner.detection()

    def _fresh(self) -> Detection:
        if self.generation != self.owner.rules_generation:
            self.generation = self.owner.rules_generation
            self.current = self.owner.detection()
        return self.current

    def on_batch(self, batch: BatchContext) -> None:
        """Run detection on one committed batch."""
        self._fresh().on_batch(batch)

    def finish(self) -> None:
        """Run the once-per-call part of detection."""
        self.current.finish()


def product(request: Request) -> Product:
    """The product of the app serving ``request`` (a FastAPI dependency)."""
    found = request.app.state.product
    assert isinstance(found, Product)
    return found
