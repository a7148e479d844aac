filter eventName = "Delete*" or eventName in ("Put*Policy", "StopLogging")
| fields eventTime, eventName, requestParameters.bucketName
