WITH step1 AS (
  SELECT
    event_id AS "eventId",
    user_arn AS who
  FROM cloudtrail
  WHERE
    LOWER(event_name) = 'consolelogin'
), step2 AS (
  SELECT
    event_id AS "eventId",
    event_name AS "eventName",
    user_arn AS who
  FROM cloudtrail
  WHERE
    LOWER(event_name) IN ('getsessiontoken', 'getfederationtoken')
), step3 AS (
  SELECT
    "eventId",
    who,
    CAST(NULL AS VARCHAR) AS "eventName"
  FROM step1
  UNION ALL
  SELECT
    "eventId",
    who,
    "eventName"
  FROM step2
)
SELECT
  *
FROM step3
