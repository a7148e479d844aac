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
          REGEXP_MATCHES(request_role_arn, ':role/.*(admin|root|breakglass|break-glass|fullaccess)', 'i')
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
