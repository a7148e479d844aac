SELECT
  event_time AS "eventTime",
  request_parameters ->> '$.policyName' AS policy,
  resources ->> '$[0].ARN' AS "resources[0].ARN"
FROM cloudtrail
WHERE
  (
    request_parameters ->> '$.policyDocument'
  ) ILIKE '%Allow%'
