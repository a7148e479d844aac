filter userAgent != null
| alter product = arrayindex(regextract(userAgent, "^([A-Za-z0-9-]+)/"), 0),
    versions = regextract(userAgent, "[0-9]+\.[0-9]+\.[0-9]+"),
    padded = concat("  ", eventName, "xx  "),
    both = trim(padded), left = ltrim(padded), right = rtrim(rtrim(padded), "x"),
    region = uppercase(trim(awsRegion)), service = lowercase(eventSource)
| fields eventId, product, versions, both, left, right, region, service
