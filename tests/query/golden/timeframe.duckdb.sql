SELECT
  *
FROM cloudtrail
WHERE
  (
    event_time >= CURRENT_TIMESTAMP - INTERVAL '1' DAY
    AND "date" >= CAST(CURRENT_TIMESTAMP - INTERVAL '2' DAY AS DATE)
  )
  AND LOWER(event_source) = 'iam.amazonaws.com'
ORDER BY
  event_time DESC
LIMIT 50
