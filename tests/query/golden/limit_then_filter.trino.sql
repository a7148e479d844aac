WITH step1 AS (
  SELECT
    *
  FROM cloudtrail
  ORDER BY
    source_index DESC
  LIMIT 5
)
SELECT
  event_id AS "eventId"
FROM step1
WHERE
  LOWER(aws_region) = 'us-west-2'
ORDER BY
  source_index DESC
