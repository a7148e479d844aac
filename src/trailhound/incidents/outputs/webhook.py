"""The webhook output: new alerts at or above a severity, posted as Slack-compatible JSON.

Switched on like any output, by its setting; the value is the URL, optionally preceded by the
lowest severity to send (default ``high``)::

    trailhound config set output.webhook "https://hooks.slack.com/services/…"
    trailhound config set output.webhook "medium https://chat.example.com/hooks/…"

Only alerts just created are sent (one that grows is not announced again), one message per
``send`` call with a line per alert (Slack's ``text`` plus ``blocks``; other chat tools read
``text``). A failed post (no connection, 429, 5xx) is retried with backoff; a 4xx other than 429
is not. A webhook URL is a secret (whoever has it can post): only its scheme and host are ever
logged or shown in an error.
"""

from __future__ import annotations

import logging
import time
import urllib.error
import urllib.request
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar
from urllib.parse import urlsplit

import orjson

from trailhound.data_dir import DataDir
from trailhound.errors import IncidentError

SEVERITIES = ("informational", "low", "medium", "high", "critical")
DEFAULT_MIN_SEVERITY = "high"
MAX_ALERTS_PER_MESSAGE = 20  # the rest are counted in the last line
logger = logging.getLogger(__name__)


def _rank(severity: object) -> int:
    return SEVERITIES.index(str(severity)) if str(severity) in SEVERITIES else -1


def parse_target(target: str) -> tuple[str, str]:
    """``[SEVERITY ]URL`` → (lowest severity, URL); IncidentError if it cannot work.

    >>> parse_target("medium https://hooks.example.com/x")
    ('medium', 'https://hooks.example.com/x')
    """
    parts = target.split()
    if len(parts) == 2 and parts[0].lower() in SEVERITIES:
        severity, url = parts[0].lower(), parts[1]
    elif len(parts) == 1:
        severity, url = DEFAULT_MIN_SEVERITY, parts[0]
    else:
        raise IncidentError("give the webhook as URL or 'SEVERITY URL' (severity: high, …)")
    split = urlsplit(url)
    if split.scheme not in ("https", "http") or not split.hostname:
        raise IncidentError(f"the webhook must be an http(s) URL, not one of {split.scheme!r}")
    return severity, url


def _host_only(url: str) -> str:
    split = urlsplit(url)
    return f"{split.scheme}://{split.hostname}"


def slack_message(alerts: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """A Slack-compatible message announcing ``alerts``."""
    lines = []
    for alert in alerts[:MAX_ALERTS_PER_MESSAGE]:
        actor = alert.get("actor") or "unknown actor"
        where = alert.get("account") or "?"
        lines.append(
            f"[{str(alert.get('severity', '')).upper()}] {alert.get('title', '')}: {actor} in "
            f"{where} ({alert.get('count', 1)} events; alert {alert.get('id', '')})"
        )
    if len(alerts) > MAX_ALERTS_PER_MESSAGE:
        lines.append(f"… and {len(alerts) - MAX_ALERTS_PER_MESSAGE} more new alerts")
    text = "\n".join(lines)
    return {
        "text": f"trailhound: {len(alerts)} new alert{'s' if len(alerts) != 1 else ''}\n{text}",
        "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": line}} for line in lines],
        "alerts": [
            {k: alert.get(k) for k in ("id", "rule_id", "title", "severity", "actor", "account")}
            for alert in alerts
        ],
    }


class WebhookOutput:
    """Posts new alerts at or above a severity to a chat webhook, with retries."""

    name: ClassVar[str] = "webhook"
    attempts: ClassVar[int] = 4
    timeout: ClassVar[float] = 10.0
    backoff: ClassVar[float] = 0.5  # seconds, doubled per retry

    def __init__(self, target: str, *, data_dir: DataDir) -> None:
        self.min_severity, self.url = parse_target(target)
        self.shown = _host_only(self.url)  # what a log line may say of the URL

    @staticmethod
    def shown_target(target: str) -> str:
        """The setting as lists show it: the severity and the URL's scheme and host only.

        >>> WebhookOutput.shown_target("medium https://hooks.slack.com/services/T0/B0/SECRET")
        'medium https://hooks.slack.com/…'
        """
        try:
            severity, url = parse_target(target)
        except IncidentError:
            return "(hidden: not a webhook URL)"
        return f"{severity} {_host_only(url)}/…"

    def send(self, alerts: Sequence[Mapping[str, Any]]) -> None:
        """Post the new alerts at or above the severity, one message; retried on failure."""
        floor = _rank(self.min_severity)
        chosen = [
            a
            for a in alerts
            if a.get("created_at") == a.get("updated_at") and _rank(a.get("severity")) >= floor
        ]
        if not chosen:
            return
        body = orjson.dumps(slack_message(chosen), default=str)
        self._post(body)

    def _post(self, body: bytes) -> None:
        delay = self.backoff
        last = ""
        for attempt in range(1, self.attempts + 1):
            request = urllib.request.Request(
                self.url,
                data=body,
                headers={"Content-Type": "application/json", "User-Agent": "trailhound"},
                method="POST",
            )
            try:
                with urllib.request.urlopen(request, timeout=self.timeout) as answer:
                    answer.read(65536)
                return
            except urllib.error.HTTPError as error:
                last = f"HTTP {error.code}"
                if error.code != 429 and error.code < 500:
                    break  # the request itself is wrong: sending it again will not help
                retry_after = error.headers.get("Retry-After", "") if error.headers else ""
                if retry_after.isdigit():
                    delay = max(delay, min(float(retry_after), 30.0))
            except (urllib.error.URLError, OSError) as error:
                reason = getattr(error, "reason", error)
                last = type(reason).__name__ if not isinstance(reason, str) else "unreachable"
            if attempt < self.attempts:
                logger.info("webhook %s failed (%s), retrying", self.shown, last)
                time.sleep(delay)
                delay *= 2
        raise IncidentError(f"webhook {self.shown} failed after retries: {last}")
