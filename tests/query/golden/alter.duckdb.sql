WITH step1 AS (
  SELECT
    *,
    LOWER(event_source) AS service,
    DATE_DIFF('MILLISECOND', event_time, CURRENT_TIMESTAMP) // 60000 AS minutes
  FROM cloudtrail
)
SELECT
  *
FROM step1
WHERE
  minutes < 60 AND service ILIKE '%iam%'
