bin eventTime span = 1h
| comp count() as events by eventTime, eventSource
| sort eventTime
