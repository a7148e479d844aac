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
          REGEXP_LIKE(user_arn, ':assumed-role/[^/]+/i-[0-9a-f]{8,17}$')
        )
      )
      AND (
        NOT (
          COALESCE(
            (
              ENDS_WITH(LOWER(source_ip_address), '.amazonaws.com')
            )
            OR (
              ENDS_WITH(LOWER(source_ip_address), 'aws internal')
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
