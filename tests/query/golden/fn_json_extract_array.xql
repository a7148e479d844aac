filter resources != null
| alter items = json_extract_array(resources, "$"),
    instances = json_extract_array(requestParameters, "$.instancesSet.items")
| alter arns = arraymap(items, json_extract_scalar("@element", "$.ARN")),
    first_type = json_extract_scalar(arrayindex(items, 0), "$.type"),
    instance_ids = arraymap(instances, json_extract("@element", "$.instanceId"))
| fields eventId, arns, first_type, instance_ids
