filter readOnly = false and resources != null
| arrayexpand resources limit 1
| fields eventId, resources.ARN, resources.type
