"""Offline intelligence about source addresses: country, ASN, Tor exits, AWS's own ranges.

``lists`` reads the list files and names the defaults the package ships (``data/``, provenance
and licences in ``data/README.md``); ``versions`` records which version of each list is in force
and when one was replaced (the retro-hunt markers, :func:`intel_changes_since`); ``lookup`` answers
for many addresses at once; ``enrichment`` keeps the per-address table that the ``cloudtrail``
view joins (``src_country``, ``src_asn``, ``src_as_org``, ``src_is_tor``, ``src_in_aws``) in step
with the lake and the lists. Nothing here reaches the network.
"""

from __future__ import annotations

from trailhound.intel.versions import IntelChange, IntelVersion, intel_changes_since

__all__ = ["IntelChange", "IntelVersion", "intel_changes_since"]
