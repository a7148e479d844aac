dataset = alerts
| filter severity in ("high", "critical") and status = "open"
| sort last_seen desc
| fields id, title, severity, last_seen
