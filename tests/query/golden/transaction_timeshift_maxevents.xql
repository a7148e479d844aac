filter userIdentity.arn != null
| transaction userIdentity.arn, awsRegion span = 1d timeshift = "2026-11-01T06:00:00Z" maxevents = 5
