"""What the command line prints of event data and errors cannot steer the terminal."""

from __future__ import annotations

import io
from pathlib import Path

import orjson
from typer.testing import CliRunner

from tests.conftest import make_record, write_log
from trailhound.cli import app
from trailhound.cli.output import SafeConsole, printable

HOSTILE = "\x1b]0;owned\x07\x1b[2J[bold red]pwned[/bold red] :warning: \u202eevil\r\x9b31m"


def test_printable_shows_every_control_and_keeps_the_text() -> None:
    assert printable(HOSTILE) == (
        "\\x1b]0;owned\\x07\\x1b[2J[bold red]pwned[/bold red] :warning: \\u202eevil\\x0d\\x9b31m"
    )
    assert printable("line one\n\tline two") == "line one\n\tline two"


def test_console_reads_no_markup_or_emoji_in_data() -> None:
    buffer = io.StringIO()
    console = SafeConsole(file=buffer, width=200, color_system=None)
    console.print(f"value: {HOSTILE}")
    text = buffer.getvalue()
    assert "[bold red]pwned[/bold red] :warning:" in text
    assert "\x1b" not in text and "\r" not in text and "\u202e" not in text


def test_hostile_event_data_prints_inert(tmp_path: Path) -> None:
    write_log(tmp_path / "logs", [make_record(1, errorCode="X", errorMessage=HOSTILE)])
    runner = CliRunner()
    base = ["--data-dir", str(tmp_path / "store")]
    assert (
        runner.invoke(app, [*base, "ingest", "--no-detect", str(tmp_path / "logs")]).exit_code == 0
    )
    query = "dataset = cloudtrail | fields errorMessage"
    table = runner.invoke(app, [*base, "query", query])
    assert table.exit_code == 0, table.output
    assert "[bold red]pwned[/bold red]" in table.stdout and "\\x1b[2J" in table.stdout
    assert not set("\x1b\x07\r\x9b\u202e") & set(table.stdout)
    as_json = runner.invoke(app, [*base, "query", query, "--format", "json"])
    assert orjson.loads(as_json.stdout) == [{"errorMessage": HOSTILE}]  # the data, exactly
    assert not set("\x1b\x07\r\x9b\u202e") & set(as_json.stdout)  # as JSON escapes
    # Into a pipe (not a terminal), CSV carries the data as it is.
    as_csv = runner.invoke(app, [*base, "query", query, "--format", "csv"])
    assert "\x1b]0;owned\x07\x1b[2J[bold red]pwned" in as_csv.stdout


def test_error_messages_print_inert(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app,
        ["--data-dir", str(tmp_path / "store"), "sql", "SELECT '\x1b[2J[red]boom[/red]' + 1"],
    )
    assert result.exit_code == 2
    assert "[red]boom[/red]" in result.stderr and "\\x1b[2J" in result.stderr
    assert "\x1b" not in result.stderr
