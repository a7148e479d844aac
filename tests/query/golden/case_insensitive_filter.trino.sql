SELECT
  *
FROM cloudtrail
WHERE
  LOWER(event_name) = 'consolelogin' AND NOT error_code IS NULL
