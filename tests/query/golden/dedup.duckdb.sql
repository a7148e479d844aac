WITH step1 AS (
  SELECT
    *,
    ROW_NUMBER() OVER (PARTITION BY user_arn, source_ip_address ORDER BY event_time DESC) AS _th_row
  FROM cloudtrail
  WHERE
    LOWER(event_name) = 'consolelogin'
)
SELECT
  event_time AS "eventTime",
  user_arn AS "userIdentity.arn",
  source_ip_address AS "sourceIPAddress"
FROM step1
WHERE
  _th_row = 1
