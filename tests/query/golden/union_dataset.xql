filter eventName = "StopLogging"
| fields eventId as excerpt, eventName as reason
| union quarantine
| fields excerpt, reason, position
