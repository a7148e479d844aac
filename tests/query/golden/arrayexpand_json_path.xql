filter eventName = "DescribeInstances"
| arrayexpand requestParameters.instancesSet.items
| fields eventId, requestParameters.instancesSet.items.instanceId
