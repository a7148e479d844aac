filter eventName = "AssumeRole" and responseElements.credentials.accessKeyId != null
| fields eventId, requestParameters.roleArn as role,
    responseElements.credentials.accessKeyId as session_key
| join (
    filter userIdentity.accessKeyId != null
    | comp count() as calls, count_distinct(eventName) as apis by userIdentity.accessKeyId
  ) as used session_key = used.userIdentity.accessKeyId
| fields eventId, role, session_key, calls, apis
