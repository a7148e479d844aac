SELECT
  event_id
FROM cloudtrail
WHERE
  COALESCE(
    (
      (
        (
          NOT vpc_endpoint_id IS NULL
        ) AND (
          NOT user_account_id IS NULL
        )
      )
      AND (
        (
          LOWER(vpc_endpoint_account_id) = '111111111111'
        )
        OR (
          (
            LOWER(event_type) = 'awsvpceevent'
          )
          AND (
            vpc_endpoint_account_id IS NULL
          )
        )
      )
      AND (
        NOT (
          COALESCE(LOWER(user_account_id) = '111111111111', FALSE)
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
