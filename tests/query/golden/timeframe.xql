config timeframe = 24h
| dataset = cloudtrail
| filter eventSource = "iam.amazonaws.com"
| sort eventTime desc
| limit 50
