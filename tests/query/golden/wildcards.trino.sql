SELECT
  event_time AS "eventTime",
  event_name AS "eventName",
  request_bucket_name AS "requestParameters.bucketName"
FROM cloudtrail
WHERE
  LOWER(event_name) LIKE LOWER('Delete%')
  OR (
    LOWER(event_name) = 'stoplogging' OR LOWER(event_name) LIKE LOWER('Put%Policy')
  )
