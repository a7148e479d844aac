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
        LOWER(GET_JSON_OBJECT(additional_event_data, '$.MFAUsed')) = 'no'
      )
      AND (
        LOWER(GET_JSON_OBJECT(response_elements, '$.ConsoleLogin')) = 'success'
      )
    ),
    FALSE
  )
