SELECT
  api_operation,
  actor_user_name,
  COUNT(*) AS failures
FROM cloud_audit_logs
WHERE
  "time" >= CURRENT_TIMESTAMP - INTERVAL '1' DAY AND LOWER(status) = 'failure'
GROUP BY
  api_operation,
  actor_user_name
