SELECT
  event_id
FROM cloudtrail
WHERE
  COALESCE(
    (
      (
        LOWER(event_name) = 'consolelogin'
      )
      AND (
        LOWER(additional_event_data ->> '$.MFAUsed') = 'no'
      )
      AND (
        LOWER(response_elements ->> '$.ConsoleLogin') = 'success'
      )
    ),
    FALSE
  )
