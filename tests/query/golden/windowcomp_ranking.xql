comp count() as calls by eventSource, eventName
| windowcomp rank() by eventSource sort calls desc as place
| windowcomp dense_rank() by eventSource sort calls desc as dense_place
| windowcomp row_number() by eventSource sort calls desc, eventName as position
| windowcomp lead(eventName) by eventSource sort calls desc, eventName as next_name
| windowcomp first_value(eventName) by eventSource sort calls desc, eventName as most_called
| windowcomp last_value(eventName) by eventSource sort calls desc, eventName
    between null and null as least_called
| windowcomp sum(calls) by eventSource as service_calls
| windowcomp avg(calls) by eventSource as service_average
| windowcomp max(calls) as busiest
