filter eventName = "ConsoleLogin"
| fields eventId, sourceIPAddress
| join type = left conflict_strategy = both (
    filter readOnly = false | comp count() as writes by sourceIPAddress
  ) as w sourceIPAddress = w.sourceIPAddress
