filter json_extract(requestParameters, "$.policyDocument") contains "Allow"
| fields eventTime, requestParameters.policyName as policy, resources[0].ARN
