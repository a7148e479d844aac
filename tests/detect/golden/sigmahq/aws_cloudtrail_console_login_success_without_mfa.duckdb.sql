SELECT
  event_id
FROM cloudtrail
WHERE
  COALESCE(
    (
      (
        LOWER(event_name) = 'consolelogin'
      )
      AND (
        LOWER(additional_mfa_used) = 'no'
      )
      AND (
        LOWER(response_console_login) = 'success'
      )
    ),
    FALSE
  )
