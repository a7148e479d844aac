filter eventSource = "sts.amazonaws.com"
| alter year = extract_time(eventTime, "YEAR"), quarter = extract_time(eventTime, "QUARTER"),
    month = extract_time(eventTime, "MONTH"), week = extract_time(eventTime, "WEEK"),
    day = extract_time(eventTime, "DAY"), weekday = extract_time(eventTime, "DAYOFWEEK"),
    yearday = extract_time(eventTime, "DAYOFYEAR"), hour = extract_time(eventTime, "HOUR"),
    minute = extract_time(eventTime, "MINUTE"), second = extract_time(eventTime, "SECOND"),
    stamp = format_timestamp("%Y-%m-%dT%H:%M:%SZ", eventTime),
    parsed = parse_timestamp("%d/%m/%Y %H:%M", format_timestamp("%d/%m/%Y %H:%M", eventTime)),
    unparsable = parse_timestamp("%Y-%m-%d", eventName),
    epoch = timestamp_seconds(1762300800)
| fields eventId, year, quarter, month, week, day, weekday, yearday, hour, minute, second,
    stamp, parsed, unparsable, epoch
