SELECT
  *
FROM quarantine
ORDER BY
  quarantined_at DESC
LIMIT 20
