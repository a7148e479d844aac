comp count() as events, count_distinct(sourceIPAddress) as ips, sum(source_index), min(eventTime), max(eventTime), avg(source_index), values(awsRegion) as regions, earliest(sourceIPAddress) as first_ip, latest(sourceIPAddress) as last_ip by userIdentity.arn
| filter events > 10
| sort events desc
