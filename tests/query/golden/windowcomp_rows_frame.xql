filter eventSource = "s3.amazonaws.com"
| windowcomp count() by awsRegion sort eventTime, eventId between -2 and 0 as last_three
| windowcomp min(eventTime) by awsRegion sort eventTime, eventId between -1 and 1 as nearby_first
| fields eventId, last_three, nearby_first
