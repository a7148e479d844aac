filter sourceIPAddress != null
| windowcomp count() by sourceIPAddress sort eventTime between -1h and 0 frame_type = range
    as calls_last_hour
| fields eventId, calls_last_hour
