filter errorCode != null
| bin eventTime span = 5m
| comp count() as failures by eventTime
