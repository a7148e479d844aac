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
          GET_JSON_OBJECT(request_parameters, '$.roleArn') RLIKE '(?i):role/.*(admin|root|breakglass|break-glass|fullaccess)'
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
