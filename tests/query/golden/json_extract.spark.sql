SELECT
  event_time AS `eventTime`,
  GET_JSON_OBJECT(request_parameters, '$.policyName') AS policy,
  GET_JSON_OBJECT(resources, '$[0].ARN') AS `resources[0].ARN`
FROM cloudtrail
WHERE
  (
    GET_JSON_OBJECT(request_parameters, '$.policyDocument')
  ) ILIKE '%Allow%'
