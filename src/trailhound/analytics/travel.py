"""Impossible travel: two successful console logins of one person too far apart too soon.

The person (``profiles.PERSON_SQL``) is who stands behind the identity, whatever session, role
or account the login opens: an Identity Center user signing in to two accounts is one person. A
login's previous one is the latest earlier login of the same person, in the batch or in its
profile (scope ``person``: the ``console_country`` facet keeps, per country, the last login's
time); a hunt reads the logins of its window and the day before it from the lake instead. The
distance is the one between the two countries' centroids (``intel.centroids``), so logins from
one country never count. A country is a coarse place (Germany's and France's centroids are 800
km apart, their border much closer), so ``SLACK_KM`` is taken off the distance before the speed
is computed: neighbours never count either. Above ``MAX_KMH`` the journey is impossible, unless
both countries were already among the person's login countries before (a VPN that leaves in
either of two countries, two offices): then it is its habit, not a journey.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import duckdb
import pyarrow as pa

from trailhound.analytics.profiles import CONSOLE_OK_SQL, PERSON_SQL
from trailhound.intel.centroids import centroids, haversine_km_sql

MAX_KMH = 900.0  # an airliner's cruising speed
SLACK_KM = 1000.0

# Successful console logins with a country (over a batch, or the lake's ``cloudtrail``
# filtered by ``{where}``); ``fresh``: those to test, the others only precede them.
LOGINS = (
    "SELECT person, actor, event_time, country, event_id, fresh FROM ("
    f"SELECT {PERSON_SQL} AS person, actor, event_time, src_country AS country, event_id, "
    "{fresh} AS fresh FROM {relation} "
    f"WHERE ({{where}}) AND {CONSOLE_OK_SQL} AND src_country IS NOT NULL"
    ") WHERE person IS NOT NULL"
)
BATCH_LOGINS = LOGINS.replace("{fresh}", "true").replace("{where}", "true")
_DISTANCE = haversine_km_sql("a.latitude", "a.longitude", "b.latitude", "b.longitude")
_IMPOSSIBLE = f"""
WITH logins AS (
    SELECT person, actor, event_time, country, event_id, fresh FROM batch_logins
    UNION ALL
    SELECT subject, NULL, last_seen, value, NULL, false FROM analytics_profiles
    WHERE $profiled AND scope = 'person' AND facet = 'console_country'
      AND subject IN (SELECT person FROM batch_logins)
), ordered AS (
    SELECT *, lag(country) OVER w AS prev_country, lag(event_time) OVER w AS prev_time,
           lag(actor) OVER w AS prev_actor
    FROM logins WINDOW w AS (PARTITION BY person ORDER BY event_time, fresh)
), legs AS (
    SELECT o.*, {_DISTANCE} AS km
    FROM ordered AS o
    JOIN centroids AS a ON a.country = o.prev_country
    JOIN centroids AS b ON b.country = o.country
    WHERE o.fresh AND o.prev_country IS NOT NULL AND o.prev_country <> o.country
      AND NOT EXISTS (  -- both countries usual for the identity: its VPN, its two offices
        SELECT 1 FROM analytics_profiles AS p, analytics_profiles AS q
        WHERE p.scope = 'person' AND p.facet = 'console_country' AND p.subject = o.person
          AND q.scope = 'person' AND q.facet = 'console_country' AND q.subject = o.person
          AND p.value = o.country AND q.value = o.prev_country
          AND p.first_seen < o.event_time AND q.first_seen < o.prev_time
      )
)
SELECT person, actor, event_time, event_id, prev_country, country, prev_time, prev_actor, km,
       (km - $slack) / greatest(epoch(event_time - prev_time) / 3600.0, 1 / 60.0) AS kmh
FROM legs WHERE km > $slack
  AND (km - $slack) / greatest(epoch(event_time - prev_time) / 3600.0, 1 / 60.0) > $max_kmh
ORDER BY person, event_time
"""


@dataclass(frozen=True, slots=True)
class Journey:
    """A login whose journey from the previous one was impossible."""

    person: str
    actor: str
    event_time: datetime
    event_id: str
    prev_country: str
    country: str
    prev_time: datetime
    prev_actor: str | None  # the previous login's identity (None: known from the profile)
    km: float
    kmh: float

    def explain(self) -> str:
        """The two logins, the distance and the speed it would take."""
        minutes = (self.event_time - self.prev_time).total_seconds() / 60
        before = "signing in"
        if self.prev_actor is not None and self.prev_actor != self.actor:
            before = f"the same person ({self.person}) signed in as {self.prev_actor}"
        elif self.prev_actor is None and self.person != self.actor:
            before = f"the same person ({self.person}) signed in"
        return (
            f"{self.actor} signed in from {self.country} {minutes:.0f} minutes after {before} "
            f"from {self.prev_country}: {self.km:,.0f} km between the countries' centres, at "
            f"least {self.kmh:,.0f} km/h (over {MAX_KMH:,.0f} km/h is impossible)"
        )


def impossible_journeys(
    state: duckdb.DuckDBPyConnection, logins: pa.Table, *, profiled: bool = True
) -> list[Journey]:
    """The fresh ``logins`` (``LOGINS``) reached impossibly fast from the previous login of the
    same person: among ``logins``, or (``profiled``) the last one its profile holds."""
    if logins.num_rows == 0:
        return []
    state.register("batch_logins", logins)
    state.register("centroids", centroids())
    try:
        rows = state.execute(
            _IMPOSSIBLE, {"slack": SLACK_KM, "max_kmh": MAX_KMH, "profiled": profiled}
        ).fetchall()
    finally:
        state.unregister("batch_logins")
        state.unregister("centroids")
    return [Journey(*row) for row in rows]
