SELECT
  event_name AS `eventName`,
  COUNT(*) AS count
FROM cloudtrail
WHERE
  event_time >= CURRENT_TIMESTAMP() - INTERVAL '7' DAY
  AND `date` >= CAST(CURRENT_TIMESTAMP() - INTERVAL '8' DAY AS DATE)
GROUP BY
  event_name
ORDER BY
  count DESC,
  `eventName` ASC NULLS LAST
LIMIT 5
