filter eventName = "ConsoleLogin"
| dedup userIdentity.arn, sourceIPAddress by eventTime desc
| fields eventTime, userIdentity.arn, sourceIPAddress
