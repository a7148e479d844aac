dataset = cloudtrail
| filter eventName = "ConsoleLogin" and errorCode != null
