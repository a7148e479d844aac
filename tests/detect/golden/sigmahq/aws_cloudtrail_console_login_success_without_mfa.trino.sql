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
        LOWER(JSON_EXTRACT_SCALAR(additional_event_data, '$.MFAUsed')) = 'no'
      )
      AND (
        LOWER(JSON_EXTRACT_SCALAR(response_elements, '$.ConsoleLogin')) = 'success'
      )
    ),
    FALSE
  )
