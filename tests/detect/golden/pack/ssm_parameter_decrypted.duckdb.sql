SELECT
  event_id
FROM cloudtrail
WHERE
  COALESCE(
    (
      (
        (
          (
            LOWER(event_name) = 'getparameter'
          )
          OR (
            LOWER(event_name) = 'getparameters'
          )
          OR (
            LOWER(event_name) = 'getparametersbypath'
          )
        )
        AND (
          LOWER(request_parameters ->> '$.withDecryption') = 'true'
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
