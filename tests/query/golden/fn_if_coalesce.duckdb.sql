WITH step1 AS (
  SELECT
    *,
    CASE
      WHEN read_only
      THEN 'read'
      WHEN NOT error_code IS NULL
      THEN 'failed'
      ELSE 'write'
    END AS kind,
    COALESCE(user_name, user_invoked_by, 'unknown') AS who,
    CASE WHEN NOT error_code IS NULL THEN 'error' END AS error
  FROM cloudtrail
)
SELECT
  kind,
  who,
  error,
  COUNT(*) AS calls
FROM step1
GROUP BY
  kind,
  who,
  error
