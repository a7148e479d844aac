WITH step1 AS (
  SELECT
    event_time AS "eventTime",
    event_name AS action,
    session_issuer_arn AS role,
    request_bucket_name AS "requestParameters.bucketName"
  FROM cloudtrail
)
SELECT
  *
FROM step1
WHERE
  NOT role IS NULL
