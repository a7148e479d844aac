fields eventTime, eventName as action, userIdentity.sessionContext.sessionIssuer.arn as role, requestParameters.bucketName
| filter role != null
