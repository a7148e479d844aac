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
        NOT (
          COALESCE(LOWER(user_account_id) = '111111111111', FALSE)
        )
      )
      AND (
        NOT (
          COALESCE(LOWER(user_type) = 'awsservice', FALSE)
        )
      )
    ),
    FALSE
  )
