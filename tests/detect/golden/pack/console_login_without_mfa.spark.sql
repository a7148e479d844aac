SELECT
  event_id
FROM cloudtrail
WHERE
  COALESCE(
    (
      (
        (
          LOWER(event_name) = 'consolelogin'
        )
        AND (
          LOWER(additional_mfa_used) = 'no'
        )
        AND (
          LOWER(response_console_login) = 'success'
        )
      )
      AND (
        NOT (
          COALESCE(
            NOT (
              GET_JSON_OBJECT(additional_event_data, '$.SamlProviderArn')
            ) IS NULL,
            FALSE
          )
        )
      )
      AND (
        NOT (
          COALESCE(
            (
              LOWER(user_type) = 'assumedrole'
            )
            OR (
              LOWER(user_type) = 'federateduser'
            ),
            FALSE
          )
        )
      )
    ),
    FALSE
  )
