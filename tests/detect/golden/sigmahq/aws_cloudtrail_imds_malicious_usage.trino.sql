SELECT
  event_id
FROM cloudtrail
WHERE
  COALESCE(
    (
      (
        REGEXP_LIKE(user_arn, '.+:assumed-role/aws:.+')
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
