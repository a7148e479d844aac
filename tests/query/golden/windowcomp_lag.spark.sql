WITH step1 AS (
  SELECT
    *,
    LAG(event_time) OVER (
      PARTITION BY user_access_key_id
      ORDER BY event_time ASC NULLS LAST, event_id ASC NULLS LAST
    ) AS previous
  FROM cloudtrail
  WHERE
    NOT user_access_key_id IS NULL
), step2 AS (
  SELECT
    *,
    TIMESTAMPDIFF(MILLISECOND, previous, event_time) DIV 1000 AS gap
  FROM step1
)
SELECT
  event_id AS `eventId`,
  previous,
  gap
FROM step2
