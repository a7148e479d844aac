WITH step1 AS (
  SELECT
    user_arn AS "userIdentity.arn",
    aws_region AS "awsRegion",
    event_time AS _th_time,
    FLOOR(CAST((
      TO_UNIXTIME(event_time) - 1793512800
    ) AS DOUBLE) / 86400) AS _th_window
  FROM cloudtrail
  WHERE
    NOT user_arn IS NULL AND (
      NOT user_arn IS NULL AND NOT aws_region IS NULL
    )
), step2 AS (
  SELECT
    *,
    CAST(TRUNCATE(
      CAST((
        ROW_NUMBER() OVER (PARTITION BY "userIdentity.arn", "awsRegion", _th_window ORDER BY _th_time ASC) - 1
      ) AS DOUBLE) / 5
    ) AS BIGINT) AS _th_part
  FROM step1
)
SELECT
  "userIdentity.arn",
  "awsRegion",
  MIN(_th_time) AS _start_time,
  MAX(_th_time) AS _end_time,
  CAST(TRUNCATE(CAST(DATE_DIFF('MILLISECOND', MIN(_th_time), MAX(_th_time)) AS DOUBLE) / 1000) AS BIGINT) AS _duration,
  COUNT(*) AS _event_count
FROM step2
GROUP BY
  "userIdentity.arn",
  "awsRegion",
  _th_window,
  _th_part
