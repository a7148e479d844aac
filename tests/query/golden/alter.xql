alter service = lowercase(eventSource), minutes = timestamp_diff(now(), eventTime, "minute")
| filter minutes < 60 and service contains "iam"
