"""Incidents: the alerts detectors raise, and where they are sent."""
