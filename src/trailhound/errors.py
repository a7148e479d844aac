"""The exception hierarchy: one root, one subclass per stage."""

from __future__ import annotations


class TrailhoundError(Exception):
    """Root of every error trailhound raises on purpose."""


class SourceError(TrailhoundError):
    """A source of records (file, stream, queue) could not be read."""


class NormalizeError(TrailhoundError):
    """A record could not be normalized into the schema."""


class StoreError(TrailhoundError):
    """The lake or the state database failed."""


class IntelError(TrailhoundError):
    """An intel list (Tor exits, AWS ranges, country, ASN) could not be read or installed."""


class QueryError(TrailhoundError):
    """A query could not be parsed, compiled or run.

    ``position`` is the 0-based character offset in ``query`` the error points at, if known.
    """

    def __init__(
        self,
        message: str,
        *,
        query: str | None = None,
        position: int | None = None,
        suggestion: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.query = query
        self.position = position
        self.suggestion = suggestion

    def __str__(self) -> str:
        return self.render()

    def render(self) -> str:
        """The message, the query with a caret under the offending place, and a suggestion."""
        lines = [self.message]
        if self.query is not None and self.position is not None:
            # Show the line of the query that holds the position, caret beneath it.
            start = self.query.rfind("\n", 0, self.position) + 1
            end = self.query.find("\n", self.position)
            end = len(self.query) if end == -1 else end
            lines.append("  " + self.query[start:end])
            lines.append("  " + " " * (self.position - start) + "^")
        if self.suggestion:
            lines.append(f"Did you mean '{self.suggestion}'?")
        return "\n".join(lines)


class DetectError(TrailhoundError):
    """A rule could not be loaded, compiled or run."""


class CollectError(TrailhoundError):
    """Collection from AWS (SQS, S3, STS) failed."""


class IncidentError(TrailhoundError):
    """An alert output is misconfigured or could not be written."""


class SettingError(TrailhoundError):
    """A setting that does not exist, or a value it cannot take."""


class EngineError(TrailhoundError):
    """A query engine that is not installed, or an operation it does not offer."""
