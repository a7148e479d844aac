filter userIdentity.accessKeyId != null
| windowcomp lag(eventTime) by userIdentity.accessKeyId sort eventTime, eventId as previous
| alter gap = timestamp_diff(eventTime, previous, "second")
| fields eventId, previous, gap
