filter eventName = "ConsoleLogin"
| fields eventId, userIdentity.arn as who
| union (
    filter eventName in ("GetSessionToken", "GetFederationToken")
    | fields eventId, eventName, userIdentity.arn as who
  )
