SELECT
  event_id
FROM cloudtrail
WHERE
  COALESCE(
    (
      (
        (
          (
            LOWER(event_name) = 'putuserpolicy'
          )
          OR (
            LOWER(event_name) = 'putrolepolicy'
          )
          OR (
            LOWER(event_name) = 'putgrouppolicy'
          )
          OR (
            LOWER(event_name) = 'createpolicyversion'
          )
          OR (
            LOWER(event_name) = 'createpolicy'
          )
        )
        AND (
          REGEXP_MATCHES(
            (
              request_parameters ->> '$.policyDocument'
            ),
            '"Action"\s*:\s*\[?\s*"(\*|iam:\*)"'
          )
        )
      )
      AND (
        CONTAINS(LOWER(request_parameters ->> '$.policyDocument'), 'allow')
      )
      AND (
        NOT (
          COALESCE(NOT error_code IS NULL, FALSE)
        )
      )
    ),
    FALSE
  )
