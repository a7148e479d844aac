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
          LOWER(JSON_EXTRACT_SCALAR(additional_event_data, '$.MFAUsed')) = 'no'
        )
        AND (
          LOWER(JSON_EXTRACT_SCALAR(response_elements, '$.ConsoleLogin')) = 'success'
        )
      )
      AND (
        NOT (
          COALESCE(
            NOT (
              JSON_EXTRACT_SCALAR(additional_event_data, '$.SamlProviderArn')
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
