SELECT
  event_id
FROM cloudtrail
WHERE
  COALESCE(
    (
      (
        (
          LOWER(user_type) = 'assumedrole'
        )
        AND (
          user_arn RLIKE ':assumed-role/[^/]+/i-[0-9a-f]{8,17}$'
        )
      )
      AND (
        NOT (
          COALESCE(
            (
              ENDSWITH(LOWER(source_ip_address), '.amazonaws.com')
            )
            OR (
              ENDSWITH(LOWER(source_ip_address), 'aws internal')
            ),
            FALSE
          )
        )
      )
      AND (
        NOT (
          COALESCE(NOT vpc_endpoint_id IS NULL, FALSE)
        )
      )
      AND (
        NOT (
          COALESCE(NOT ec2_role_delivery IS NULL, FALSE)
        )
      )
    ),
    FALSE
  )
