"""The demo's own intel: the Tor exit list its stories need.

The Tor story calls from real exits that the Tor Project listed when the story was written;
exits come and go, so the list the package ships may no longer name all of them. The demo
therefore installs its own list: the shipped one plus the story's exits, marked as such
(``trailhound demo-data --tor-list FILE``, then ``trailhound intel update --tor FILE``).
"""

from __future__ import annotations

from pathlib import Path

from trailhound.intel.lists import shipped_path
from trailhound_demo.clients import TOR_EXIT_ADDRESSES


def demo_tor_list() -> str:
    """The shipped Tor exit list with the demo story's exits added."""
    shipped = shipped_path("tor").read_text()
    lines = [
        "# The demo's Tor exit list: trailhound's shipped list, then the exits of the demo's",
        "# tor-access story (real exits when the story was written).",
        shipped.rstrip("\n"),
        "# the demo story's exits",
        *TOR_EXIT_ADDRESSES,
    ]
    return "\n".join(lines) + "\n"


def write_demo_tor_list(path: Path) -> Path:
    """Write :func:`demo_tor_list` to ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(demo_tor_list())
    return path
