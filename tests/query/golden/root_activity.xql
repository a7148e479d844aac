filter userIdentity.type = "Root" and userIdentity.invokedBy = null and eventType != "AwsServiceEvent"
| fields eventTime, eventName, sourceIPAddress, recipientAccountId
