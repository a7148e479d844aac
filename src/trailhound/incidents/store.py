"""The incidents of one state database: list, show, triage (status, assignee) and comment.

Incidents are made by ``incidents.grouping`` as alerts are recorded; this is what analysts (the
command line, the API, the console) do with them. Every change leaves a line in the incident's
comment trail (``incident_comments``): who changed what, when.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from trailhound.errors import IncidentError
from trailhound.store.state import StateDB
from trailhound.tables import ALERTS, INCIDENTS

STATUSES = ("new", "in_progress", "resolved", "false_positive")
INCIDENT_COLUMNS = INCIDENTS.column_names
HIDDEN = frozenset({"keys"})  # bookkeeping of the grouping, not shown
MAX_TEXT = 10_000  # characters of a comment or assignee name


def public(incident: dict[str, Any]) -> dict[str, Any]:
    """What an incident shows outside: every column but the grouping's bookkeeping."""
    return {k: v for k, v in incident.items() if k not in HIDDEN}


class IncidentStore:
    """The incidents of one state database."""

    def __init__(self, state: StateDB) -> None:
        self.state = state

    def list(
        self,
        *,
        status: str | None = None,
        severity: str | None = None,
        assignee: str | None = None,
        limit: int = 100,
        by_score: bool = False,
    ) -> list[dict[str, Any]]:
        """Incidents, most recent activity first (or highest score first), optionally filtered."""
        clauses: list[str] = []
        params: list[Any] = []
        for column, value in (("status", status), ("severity", severity), ("assignee", assignee)):
            if value is not None:
                clauses.append(f"{column} = ?")
                params.append(value)
        where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
        with self.state.connect() as con:
            rows = con.execute(
                f"SELECT {', '.join(INCIDENT_COLUMNS)} FROM incidents {where} "
                f"ORDER BY {'score DESC, ' if by_score else ''}last_seen DESC, id LIMIT ?",
                [*params, max(0, limit)],
            ).fetchall()
        return [dict(zip(INCIDENT_COLUMNS, row, strict=True)) for row in rows]

    def get(self, incident_id: str) -> dict[str, Any]:
        """One incident with its alerts (oldest first) and comment trail; a unique ID prefix is
        enough."""
        with self.state.connect() as con:
            rows = con.execute(
                f"SELECT {', '.join(INCIDENT_COLUMNS)} FROM incidents WHERE starts_with(id, ?)",
                [incident_id],
            ).fetchall()
            if len(rows) != 1:
                raise IncidentError(
                    f"no incident {incident_id!r}"
                    if not rows
                    else f"incident ID {incident_id!r} is ambiguous"
                )
            incident = dict(zip(INCIDENT_COLUMNS, rows[0], strict=True))
            alert_columns = ", ".join(f"a.{c}" for c in ALERTS.column_names)
            alerts = con.execute(
                f"SELECT {alert_columns} FROM alerts AS a JOIN incident_alerts AS l "
                "ON l.alert_id = a.id WHERE l.incident_id = ? ORDER BY a.first_seen, a.id",
                [incident["id"]],
            ).fetchall()
            comments = con.execute(
                "SELECT commented_at, author, text FROM incident_comments WHERE incident_id = ? "
                "ORDER BY commented_at",
                [incident["id"]],
            ).fetchall()
        incident["alerts"] = [dict(zip(ALERTS.column_names, a, strict=True)) for a in alerts]
        incident["comments"] = [
            {"at": at, "author": author, "text": text} for at, author, text in comments
        ]
        return incident

    def update(
        self,
        incident_id: str,
        *,
        status: str | None = None,
        assignee: str | None = None,
        comment: str | None = None,
        author: str = "analyst",
    ) -> dict[str, Any]:
        """Change an incident's status and/or assignee (``""`` unassigns) and/or add a
        comment; every change goes to the trail. Returns the incident."""
        if status is not None and status not in STATUSES:
            raise IncidentError(f"unknown status {status!r}: use one of {', '.join(STATUSES)}")
        for name, value in (("assignee", assignee), ("comment", comment), ("author", author)):
            if value is not None and len(value) > MAX_TEXT:
                raise IncidentError(f"{name} is longer than {MAX_TEXT:,} characters")
        incident = self.get(incident_id)
        now = datetime.now(UTC)
        notes: list[str] = []
        with self.state.connect() as con:
            con.execute("BEGIN")
            if status is not None and status != incident["status"]:
                con.execute(
                    "UPDATE incidents SET status = ?, updated_at = ? WHERE id = ?",
                    [status, now, incident["id"]],
                )
                notes.append(f"status {incident['status']} → {status}")
            if assignee is not None and (assignee or None) != incident["assignee"]:
                con.execute(
                    "UPDATE incidents SET assignee = ?, updated_at = ? WHERE id = ?",
                    [assignee or None, now, incident["id"]],
                )
                notes.append(f"assigned to {assignee}" if assignee else "unassigned")
            if comment:
                notes.append(comment)
            for note in notes:
                con.execute(
                    "INSERT INTO incident_comments VALUES (?, ?, ?, ?)",
                    [incident["id"], now, author, note],
                )
            con.execute("COMMIT")
        return self.get(incident["id"])

    def assign(self, incident_id: str, assignee: str, *, author: str = "analyst") -> dict[str, Any]:
        """Give an incident to someone (``""``: nobody)."""
        return self.update(incident_id, assignee=assignee, author=author)

    def comment(self, incident_id: str, text: str, *, author: str = "analyst") -> dict[str, Any]:
        """Add a comment to an incident's trail."""
        if not text.strip():
            raise IncidentError("an empty comment says nothing")
        return self.update(incident_id, comment=text, author=author)

    def for_alert(self, alert_id: str) -> str | None:
        """The ID of the incident an alert belongs to, if any."""
        with self.state.connect() as con:
            row = con.execute(
                "SELECT incident_id FROM incident_alerts WHERE alert_id = ?", [alert_id]
            ).fetchone()
        return None if row is None else str(row[0])
