"""The server's collector: every collectable integration collected in a thread of its own, the
integration list read again each round, so that ``trailhound serve`` picks up an integration
added, paused, resumed, removed or changed while it runs, without a restart.

Each round (every ``rescan_seconds``) compares the integrations whose state lets them be
collected (``Trailhound.collectable``) with those collected now: a new one starts, one gone
(removed, paused) is stopped, one whose queue or connection changed is stopped and started
again, one whose collection ended on its own (a fatal error) is started again on the next
round. A stopped collection finishes the batch in flight (its queue's messages are deleted
only once stored) and ends within its long poll.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from trailhound.errors import TrailhoundError

if TYPE_CHECKING:
    from trailhound.app import Trailhound
    from trailhound.sources.aws.integrations import Integration

logger = logging.getLogger(__name__)


def _signature(integration: Integration) -> tuple[object, ...]:
    """What a collection is made from (not the counters and state, which change as it runs)."""
    return (integration.queue_url, integration.connection, integration.accounts)


@dataclass(slots=True)
class _Collection:
    """One integration being collected: its thread, its own stop and what it was made from."""

    name: str
    signature: tuple[object, ...]
    thread: threading.Thread
    stop: threading.Event = field(default_factory=threading.Event)


class Collectors:
    """Collects the collectable integrations of an application, following its list."""

    def __init__(
        self,
        app: Trailhound,
        collect: Callable[[Integration, threading.Event], object],
        *,
        rescan_seconds: float = 5.0,
    ) -> None:
        self.app = app
        self._collect = collect  # collects one integration until its stop is set
        self.rescan_seconds = rescan_seconds
        self._running: dict[str, _Collection] = {}
        self._stopping: list[_Collection] = []  # told to stop, maybe still in their batch
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.errors: dict[str, BaseException] = {}  # the last fatal error of each integration

    @property
    def names(self) -> list[str]:
        """The integrations being collected now (and those told to stop, until they have)."""
        with self._lock:
            alive = [*self._running.values(), *self._stopping]
            return sorted({c.name for c in alive if c.thread.is_alive()})

    def start(self) -> None:
        """Start what is collectable now, then follow the list in a thread until stopped."""
        self.round()
        self._thread = threading.Thread(target=self._follow, name="collectors", daemon=True)
        self._thread.start()

    def _follow(self) -> None:
        while not self._stop.wait(self.rescan_seconds):
            try:
                self.round()
            except Exception as error:  # the next round tries again; the API goes on
                logger.error("collector round failed: %s", type(error).__name__, exc_info=error)

    def round(self) -> None:
        """Start, stop and restart collections to match the collectable integrations."""
        try:
            wanted = {i.name: i for i in self.app.collectable()}
        except TrailhoundError as error:  # the state database is busy: the next round reads
            logger.warning("cannot read the integrations: %s", error)
            return
        with self._lock:
            if self._stop.is_set():
                return
            for name, running in list(self._running.items()):
                integration = wanted.get(name)
                if integration is None or _signature(integration) != running.signature:
                    logger.info(
                        "%s: %s; no longer collected",
                        name,
                        "removed or paused" if integration is None else "settings changed",
                    )
                    running.stop.set()
                    self._stopping.append(running)
                    del self._running[name]
                elif not running.thread.is_alive():
                    del self._running[name]  # ended on its own: started again below
            self._stopping = [c for c in self._stopping if c.thread.is_alive()]
            for name, integration in wanted.items():
                if name not in self._running:
                    self._running[name] = self._start(integration)

    def _start(self, integration: Integration) -> _Collection:
        stop = threading.Event()
        thread = threading.Thread(
            target=self._run, args=(integration, stop), name=f"collect-{integration.name}"
        )
        thread.daemon = True
        collection = _Collection(integration.name, _signature(integration), thread, stop)
        logger.info("%s: collecting", integration.name)
        thread.start()
        return collection

    def _run(self, integration: Integration, stop: threading.Event) -> None:
        try:
            self._collect(integration, stop)
        except Exception as error:  # the others and the API go on; `collect` says more
            self.errors[integration.name] = error
            logger.error(
                "%s: collection stopped: %s", integration.name, type(error).__name__, exc_info=error
            )

    def stop(self, timeout: float = 80.0) -> None:
        """Stop every collection after its batch in flight, and the following of the list."""
        self._stop.set()
        with self._lock:
            running, self._running = [*self._running.values(), *self._stopping], {}
            self._stopping = []
        for collection in running:
            collection.stop.set()
        if self._thread is not None:
            self._thread.join(timeout=timeout)
        for collection in running:
            collection.thread.join(timeout=timeout)
