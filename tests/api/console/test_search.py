"""The search page: rows, the time histogram of the whole result, and syntax errors shown under
the query with the column the parser names."""

from __future__ import annotations

import re

from tests.api.conftest import log_file, records
from tests.api.console.conftest import Console


def _ingest(console: Console, count: int) -> None:
    answer = console.api.post(
        "/api/v1/ingest/cloudtrail", "ingest", content=log_file(records(0, count))
    )
    assert answer.status_code == 200, answer.text


def test_rows_and_a_histogram_of_the_whole_result(console: Console) -> None:
    _ingest(console, 30)
    console.sign_in("vic")
    query = "dataset = cloudtrail | fields eventTime, eventName, eventID | sort eventTime"
    page = console.client.get("/search", params={"q": query})
    assert page.status_code == 200
    body = re.search(r"<tbody>(.*?)</tbody>", page.text, re.S)
    assert body and body.group(1).count("<tr>") == 30
    assert 'id="row-count">30 rows' in page.text
    bars = re.findall(r"<title>(\d+) rows from", page.text)
    assert sum(int(b) for b in bars) == 30
    assert "30 rows by eventTime" in page.text
    # An aggregate has no time column: rows, no histogram.
    page = console.client.get(
        "/search", params={"q": "dataset = cloudtrail | comp count() as n by eventName"}
    )
    assert page.status_code == 200 and 'id="histogram"' not in page.text


def test_a_syntax_error_is_shown_under_the_query_with_its_column(console: Console) -> None:
    console.sign_in("vic")
    page = console.client.get("/search", params={"q": "dataset = cloudtrail | filtr x"})
    assert page.status_code == 400
    error = re.search(r'id="query-error">(.*?)</div>', page.text, re.S)
    assert error and "line 1, column 24:" in error.group(1) and "filtr" in error.group(1)
    assert "\n" + " " * 23 + "^" in error.group(1)  # the caret under the column
    page = console.client.get("/search", params={"q": "dataset = cloudtrail", "since": "soon"})
    assert page.status_code == 400 and "since:" in page.text


def test_query_text_is_escaped_and_saving_is_refused(console: Console) -> None:
    console.sign_in("vic")
    hostile = 'dataset = cloudtrail | filter eventName = "</textarea><script>x()</script>"'
    page = console.client.get("/search", params={"q": hostile})
    assert "<script>x()" not in page.text and "&lt;/textarea&gt;" in page.text
    page = console.client.get(
        "/search", params={"q": "dataset = cloudtrail | target type = dataset saved"}
    )
    assert page.status_code == 400 and "not offered" in page.text
