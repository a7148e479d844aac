"""Country centroids: where a country is, roughly, for distances between two source countries.

The shipped ``data/country-centroids.csv`` (ISO 3166 alpha-2 code, latitude, longitude) is
read once into an Arrow table that SQL joins; ``haversine_km_sql`` is the great-circle
distance between two such points, in kilometres, as a SQL expression.
"""

from __future__ import annotations

import csv
import io
from functools import cache
from importlib import resources

import pyarrow as pa

_FILE = "country-centroids.csv"
_MAX_BYTES = 64 * 1024  # the shipped file is 6 KB
EARTH_RADIUS_KM = 6371.0


@cache
def centroids() -> pa.Table:
    """``country``, ``latitude``, ``longitude`` of every country in the shipped file."""
    data = (resources.files("trailhound.intel") / "data" / _FILE).read_bytes()[:_MAX_BYTES]
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8"))))
    return pa.table(
        {
            "country": pa.array([r["country"] for r in rows], pa.string()),
            "latitude": pa.array([float(r["latitude"]) for r in rows], pa.float64()),
            "longitude": pa.array([float(r["longitude"]) for r in rows], pa.float64()),
        }
    )


def haversine_km_sql(lat1: str, lon1: str, lat2: str, lon2: str) -> str:
    """The great-circle distance in km between two points given as SQL column expressions."""
    return (
        f"2 * {EARTH_RADIUS_KM} * asin(sqrt(pow(sin(radians({lat2} - {lat1}) / 2), 2) + "
        f"cos(radians({lat1})) * cos(radians({lat2})) * pow(sin(radians({lon2} - {lon1}) / 2), 2)))"
    )
