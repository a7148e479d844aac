SELECT
  event_id
FROM cloudtrail
WHERE
  COALESCE(
    (
      (
        (
          LOWER(event_name) = 'assumerole'
        )
        AND (
          request_role_arn RLIKE '(?i):role/.*(admin|root|breakglass|break-glass|fullaccess)'
        )
      )
      AND (
        NOT (
          COALESCE(LOWER(user_type) = 'awsservice', FALSE)
        )
      )
      AND (
        NOT (
          COALESCE(NOT error_code IS NULL, FALSE)
        )
      )
    ),
    FALSE
  )
