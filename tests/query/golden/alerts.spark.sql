SELECT
  id,
  title,
  severity,
  last_seen
FROM alerts
WHERE
  LOWER(severity) IN ('high', 'critical') AND LOWER(status) = 'open'
ORDER BY
  last_seen DESC
