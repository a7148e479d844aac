SELECT
  event_time AS "eventTime",
  JSON_EXTRACT_SCALAR(request_parameters, '$.policyName') AS policy,
  JSON_EXTRACT_SCALAR(resources, '$[0].ARN') AS "resources[0].ARN"
FROM cloudtrail
WHERE
  LOWER((
    JSON_EXTRACT_SCALAR(request_parameters, '$.policyDocument')
  )) LIKE LOWER('%Allow%')
