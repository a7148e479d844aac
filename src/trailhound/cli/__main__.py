"""``python -m trailhound.cli``: the command line."""

from __future__ import annotations

from trailhound.cli import app

app()
