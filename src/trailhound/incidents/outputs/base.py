"""The extension point of alert destinations: an ``Output`` receives new and grown alerts.

An output is a class with a ``name``, built from the value of its setting and the data
directory, with a ``send`` method. Outputs are registered in ``OUTPUTS`` by name, the built-in
JSON-lines file exactly as a third party's webhook would be: by an entry point of the group
``trailhound.outputs`` and here, lazily. An output is switched on by a setting named after it::

    trailhound config set output.jsonl alerts.jsonl    # <data-dir>/alerts.jsonl
    trailhound config set output.jsonl ""              # off again

Every alert the alert store creates or grows is then handed to it, from ingest, hunts,
retro-hunts, the ledger and eventID conflicts alike. An output whose target is a secret (the
webhook's URL) has a ``shown_target(target)`` static method: lists and answers show that.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

from trailhound.errors import IncidentError
from trailhound.registry import Registry, RegistryError

if TYPE_CHECKING:
    from trailhound.data_dir import DataDir
    from trailhound.store.state import StateDB

SETTING_PREFIX = "output."
logger = logging.getLogger(__name__)


class Output(Protocol):
    """A destination of alerts, built from its setting's value (``target``)."""

    name: ClassVar[str]

    def __init__(self, target: str, *, data_dir: DataDir) -> None:
        """Check ``target`` (raising IncidentError when it cannot work) and keep it."""
        ...

    def send(self, alerts: Sequence[Mapping[str, Any]]) -> None:
        """Deliver alerts just created or grown (each a stored alert's columns)."""
        ...


OUTPUTS: Registry[type[Output]] = Registry("output", group="trailhound.outputs")
OUTPUTS.register_lazy("jsonl", "trailhound.incidents.outputs.jsonl:JsonLinesOutput")
OUTPUTS.register_lazy("webhook", "trailhound.incidents.outputs.webhook:WebhookOutput")


def output_setting(key: str) -> str | None:
    """The output a setting key configures (``output.jsonl`` → ``jsonl``), or None."""
    if not key.startswith(SETTING_PREFIX):
        return None
    return key[len(SETTING_PREFIX) :] or None


def build_output(
    name: str, target: str, data_dir: DataDir, registry: Registry[type[Output]] = OUTPUTS
) -> Output:
    """The output ``name`` aimed at ``target``; IncidentError if it is unknown or cannot work."""
    try:
        kind = registry.get(name)
    except RegistryError as error:
        raise IncidentError(str(error)) from error
    return kind(target, data_dir=data_dir)


def shown_target(name: str, target: str, registry: Registry[type[Output]] = OUTPUTS) -> str:
    """An output's target as a list, a log line or an answer may show it: masked by the
    output's own ``shown_target`` when it has one (a webhook URL is a secret), else as is."""
    try:
        kind = registry.get(name)
    except RegistryError:
        return "(hidden: unknown output)"
    mask = getattr(kind, "shown_target", None)
    return str(mask(target)) if callable(mask) else target


def configured_outputs(
    data_dir: DataDir, state: StateDB, registry: Registry[type[Output]] = OUTPUTS
) -> list[Output]:
    """Every output the settings switch on (a non-empty ``output.<name>``), in name order.

    One that no longer works (an output whose plug-in was uninstalled, a target that became
    invalid) is left out with a warning, so that alerts are still stored.
    """
    with state.connect() as con:
        rows = con.execute(
            "SELECT key, value FROM settings WHERE starts_with(key, ?) ORDER BY key",
            [SETTING_PREFIX],
        ).fetchall()
    outputs: list[Output] = []
    for key, value in rows:
        name = output_setting(str(key))
        if name is None or not value:
            continue
        try:
            outputs.append(build_output(name, str(value), data_dir, registry))
        except IncidentError as error:
            logger.warning("alert output %s left out: %s", name, error)
    return outputs
