WITH step1 AS (
  SELECT
    *,
    COUNT(*) OVER (
      PARTITION BY source_ip_address
      ORDER BY event_time ASC
      RANGE BETWEEN INTERVAL '1' HOUR PRECEDING AND CURRENT ROW
    ) AS calls_last_hour
  FROM cloudtrail
  WHERE
    NOT source_ip_address IS NULL
)
SELECT
  event_id AS "eventId",
  calls_last_hour
FROM step1
