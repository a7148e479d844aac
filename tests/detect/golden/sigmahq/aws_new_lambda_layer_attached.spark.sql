SELECT
  event_id
FROM cloudtrail
WHERE
  COALESCE(
    (
      (
        LOWER(event_source) = 'lambda.amazonaws.com'
      )
      AND (
        STARTSWITH(LOWER(event_name), 'updatefunctionconfiguration')
      )
      AND (
        NOT LOWER(GET_JSON_OBJECT(request_parameters, '$.layers')) IS NULL
      )
    ),
    FALSE
  )
