filter eventName = "ConsoleLogin"
| fields sourceIPAddress, eventId
| join type = right conflict_strategy = left (
    filter userIdentity.type in ("Root", "IAMUser") | comp count() as calls by sourceIPAddress
  ) as known sourceIPAddress = known.sourceIPAddress
