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
        STARTS_WITH(LOWER(event_name), 'updatefunctionconfiguration')
      )
      AND (
        NOT LOWER(request_parameters ->> '$.layers') IS NULL
      )
    ),
    FALSE
  )
