filter userIdentity.arn != null
| alter parts = split(userIdentity.arn, ":")
| alter path = split(arrayindex(parts, 5), "/")
| alter service = arrayindex(parts, 2), last = arrayindex(path, -1), beyond = arrayindex(path, 9),
    depth = array_length(path), shouted = arraystring(arraymap(path, uppercase("@element")), "/"),
    long_parts = arrayfilter(path, len("@element") > 12)
| fields eventId, service, last, beyond, depth, shouted, long_parts
