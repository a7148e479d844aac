WITH step1 AS (
  SELECT
    *,
    COUNT(*) OVER (
      PARTITION BY aws_region
      ORDER BY event_time ASC, event_id ASC
      ROWS BETWEEN 2 PRECEDING AND CURRENT ROW
    ) AS last_three
  FROM cloudtrail
  WHERE
    LOWER(event_source) = 's3.amazonaws.com'
), step2 AS (
  SELECT
    *,
    MIN(event_time) OVER (
      PARTITION BY aws_region
      ORDER BY event_time ASC, event_id ASC
      ROWS BETWEEN 1 PRECEDING AND 1 FOLLOWING
    ) AS nearby_first
  FROM step1
)
SELECT
  event_id AS "eventId",
  last_three,
  nearby_first
FROM step2
