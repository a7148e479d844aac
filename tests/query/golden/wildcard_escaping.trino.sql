SELECT
  *
FROM cloudtrail
WHERE
  LOWER(request_bucket_name) LIKE LOWER('logs\_%\%') ESCAPE '\'
  AND LOWER(user_agent) LIKE LOWER('%aws-cli%')
