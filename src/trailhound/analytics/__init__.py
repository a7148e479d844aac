"""Behavioural analytics: profiles of what is usual, and detectors of what is not.

``profiles`` learns, per identity, access key, account and VPC endpoint, the values each was
seen with (services, APIs, regions, source countries and ASNs, user agents, buckets, console
login addresses, endpoints and the accounts seen through them) and its hourly volume, all in set
SQL over a batch or the lake, kept in the state database. ``framework`` declares what an
analytics detector is (training, activation, test window, deduplication, severity, ATT&CK,
investigative hint, variations); ``catalog`` lists the detectors; ``detector`` runs them all as
one :class:`~trailhound.detect.base.Detector` (``analytics``), whose matches go through the
alert store like every rule's.
"""
