WITH step1 AS (
  SELECT
    user_arn AS "userIdentity.arn",
    aws_region AS "awsRegion",
    event_time AS _th_time,
    FLOOR((
      EPOCH(event_time) - 1793512800
    ) / 86400) AS _th_window
  FROM cloudtrail
  WHERE
    NOT user_arn IS NULL AND (
      NOT user_arn IS NULL AND NOT aws_region IS NULL
    )
), step2 AS (
  SELECT
    *,
    (
      ROW_NUMBER() OVER (PARTITION BY "userIdentity.arn", "awsRegion", _th_window ORDER BY _th_time ASC) - 1
    ) // 5 AS _th_part
  FROM step1
)
SELECT
  "userIdentity.arn",
  "awsRegion",
  MIN(_th_time) AS _start_time,
  MAX(_th_time) AS _end_time,
  DATE_DIFF('MILLISECOND', MIN(_th_time), MAX(_th_time)) // 1000 AS _duration,
  COUNT(*) AS _event_count
FROM step2
GROUP BY
  "userIdentity.arn",
  "awsRegion",
  _th_window,
  _th_part
