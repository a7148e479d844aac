"""Console benchmark: the server-side time of the search, incidents and incident pages on demo
data, next to the application calls behind them (the baseline, same run, same data).

    python bench/console.py [--events 20000] [--repeat 7] [--workdir DIR]

1. generates the demo data set and ingests it with detection (alerts, then incidents);
2. serves the console in process (no network: what is timed is the server's work) and signs in
   through the form as a browser does;
3. times each page ``--repeat`` times (median and slowest): the search page running a query
   with its histogram, the incidents list, the page of the highest-scoring incident (its alerts,
   the timeline of its events) and its graph's JSON;
4. times what each page calls on the application object, in process, the same way: the query,
   ``list_incidents``, ``get_incident``, ``incident_graph``. The difference is the console's own
   cost (sessions, the search's query worker and histogram, the events, templates).
"""

from __future__ import annotations

import argparse
import re
import shutil
import statistics
import tempfile
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

from argon2 import PasswordHasher

from trailhound.api.app import create_app
from trailhound.api.deps import ServerSettings
from trailhound.app import Trailhound
from trailhound.data_dir import DataDir
from trailhound_demo.generator import generate_demo

with warnings.catch_warnings():  # starlette's notice about httpx, not about this code
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

QUERY = "dataset = cloudtrail | filter eventSource = 'iam.amazonaws.com' | limit 200"
PASSWORD = "bench password, long enough"
CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def timed(call: Callable[[], Any], repeat: int) -> tuple[float, float]:
    """Median and slowest seconds of ``call`` over ``repeat`` runs (after one warm-up)."""
    call()
    seconds = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        seconds.append(time.perf_counter() - started)
    return statistics.median(seconds), max(seconds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=20000)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--workdir", type=Path, default=None)
    args = parser.parse_args()

    work = Path(args.workdir or tempfile.mkdtemp(prefix="th-bench-console-"))
    logs, root = work / "logs", work / "data"
    for folder in (logs, root):
        shutil.rmtree(folder, ignore_errors=True)
    generate_demo(logs, events=args.events, seed=7)
    app = Trailhound(root)
    started = time.perf_counter()
    summary = app.ingest_paths([logs])
    print(f"{summary.events_written:,} demo events ingested with detection in "
          f"{time.perf_counter() - started:.1f} s")  # fmt: skip
    top = app.list_incidents(limit=1, by_score=True)
    if not top:
        raise SystemExit("the demo data raised no incident")
    incident_id = str(top[0]["id"])
    listed = len(app.list_incidents(limit=100))

    settings = ServerSettings(detect=False, ingest=False, collect=False)
    served = create_app(DataDir(root), settings)
    product = served.state.product
    product.users.hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    product.users.add("bench", "analyst", PASSWORD)
    rows: list[tuple[str, tuple[float, float], str, tuple[float, float]]] = []
    with TestClient(served) as client:
        form = client.get("/login").text
        token = CSRF.search(form)
        assert token is not None, "the sign-in page has no CSRF field"
        signed = client.post(
            "/login",
            data={"name": "bench", "password": PASSWORD, "csrf": token.group(1), "next": ""},
            follow_redirects=False,
        )
        assert signed.status_code == 303, signed.text

        def page(path: str, **params: str) -> Callable[[], None]:
            def get() -> None:
                answer = client.get(path, params=params)
                assert answer.status_code == 200, (path, answer.status_code)

            return get

        cases = [
            ("search", page("/search", q=QUERY, since="3650d"), "app.query",
             lambda: app.query(QUERY, since="3650d")),
            (f"incidents ({listed})", page("/incidents"), "app.list_incidents",
             lambda: app.list_incidents(limit=100)),
            ("incident", page(f"/incidents/{incident_id}"), "app.get_incident",
             lambda: app.get_incident(incident_id)),
            ("graph.json", page(f"/incidents/{incident_id}/graph.json"), "app.incident_graph",
             lambda: app.incident_graph(incident_id)),
        ]  # fmt: skip
        for name, get, base_name, base in cases:
            rows.append((name, timed(get, args.repeat), base_name, timed(base, args.repeat)))
    print(f"{'page':18} {'median':>9} {'slowest':>9}   {'baseline':20} {'median':>9}  own cost")
    for name, (median, slowest), base_name, (base_median, _) in rows:
        print(
            f"{name:18} {median * 1000:7.1f}ms {slowest * 1000:7.1f}ms   {base_name:20} "
            f"{base_median * 1000:7.1f}ms  {(median - base_median) * 1000:+7.1f}ms"
        )
    if not args.workdir:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
