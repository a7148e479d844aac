WITH step1 AS (
  SELECT
    *,
    LAG(event_time) OVER (PARTITION BY user_access_key_id ORDER BY event_time ASC, event_id ASC) AS previous
  FROM cloudtrail
  WHERE
    NOT user_access_key_id IS NULL
), step2 AS (
  SELECT
    *,
    CAST(TRUNCATE(CAST(DATE_DIFF('MILLISECOND', previous, event_time) AS DOUBLE) / 1000) AS BIGINT) AS gap
  FROM step1
)
SELECT
  event_id AS "eventId",
  previous,
  gap
FROM step2
