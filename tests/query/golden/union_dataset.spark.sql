WITH step1 AS (
  SELECT
    event_id AS excerpt,
    event_name AS reason
  FROM cloudtrail
  WHERE
    LOWER(event_name) = 'stoplogging'
), step2 AS (
  SELECT
    *
  FROM quarantine
), step3 AS (
  SELECT
    excerpt,
    reason,
    CAST(NULL AS STRING) AS run_id,
    CAST(NULL AS STRING) AS source,
    CAST(NULL AS BIGINT) AS position,
    CAST(NULL AS TIMESTAMP) AS quarantined_at
  FROM step1
  UNION ALL
  SELECT
    excerpt,
    reason,
    run_id,
    source,
    position,
    quarantined_at
  FROM step2
)
SELECT
  excerpt,
  reason,
  position
FROM step3
