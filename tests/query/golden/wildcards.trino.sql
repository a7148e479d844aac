SELECT
  event_time AS "eventTime",
  event_name AS "eventName",
  JSON_EXTRACT_SCALAR(request_parameters, '$.bucketName') AS "requestParameters.bucketName"
FROM cloudtrail
WHERE
  LOWER(event_name) LIKE LOWER('Delete%')
  OR (
    LOWER(event_name) = 'stoplogging' OR LOWER(event_name) LIKE LOWER('Put%Policy')
  )
