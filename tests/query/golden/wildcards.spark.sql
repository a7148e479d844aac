SELECT
  event_time AS `eventTime`,
  event_name AS `eventName`,
  request_bucket_name AS `requestParameters.bucketName`
FROM cloudtrail
WHERE
  event_name ILIKE 'Delete%'
  OR (
    LOWER(event_name) = 'stoplogging' OR event_name ILIKE 'Put%Policy'
  )
