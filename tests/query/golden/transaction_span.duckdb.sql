WITH step1 AS (
  SELECT
    user_access_key_id AS "userIdentity.accessKeyId",
    event_time AS _th_time,
    FLOOR(
      (
        EPOCH(event_time) - EPOCH(MIN(event_time) OVER (PARTITION BY user_access_key_id))
      ) / 3600
    ) AS _th_window
  FROM cloudtrail
  WHERE
    NOT user_access_key_id IS NULL AND NOT user_access_key_id IS NULL
)
SELECT
  "userIdentity.accessKeyId",
  MIN(_th_time) AS _start_time,
  MAX(_th_time) AS _end_time,
  DATE_DIFF('MILLISECOND', MIN(_th_time), MAX(_th_time)) // 1000 AS _duration,
  COUNT(*) AS _event_count
FROM step1
GROUP BY
  "userIdentity.accessKeyId",
  _th_window
