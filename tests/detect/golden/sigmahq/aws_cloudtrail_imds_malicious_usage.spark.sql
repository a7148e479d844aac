SELECT
  event_id
FROM cloudtrail
WHERE
  COALESCE(
    (
      (
        user_arn RLIKE '.+:assumed-role/aws:.+'
      )
      AND (
        NOT (
          COALESCE(
            (
              LOWER(event_source) = 'ssm.amazonaws.com'
            )
            OR (
              LOWER(event_name) = 'registermanagedinstance'
            )
            OR (
              LOWER(source_ip_address) = 'aws internal'
            ),
            FALSE
          )
        )
      )
    ),
    FALSE
  )
