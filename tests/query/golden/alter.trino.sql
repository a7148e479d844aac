WITH step1 AS (
  SELECT
    *,
    LOWER(event_source) AS service,
    CAST(TRUNCATE(CAST(DATE_DIFF('MILLISECOND', event_time, CURRENT_TIMESTAMP) AS DOUBLE) / 60000) AS BIGINT) AS minutes
  FROM cloudtrail
)
SELECT
  *
FROM step1
WHERE
  minutes < 60 AND LOWER(service) LIKE LOWER('%iam%')
