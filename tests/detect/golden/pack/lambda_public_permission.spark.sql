SELECT
  event_id
FROM cloudtrail
WHERE
  COALESCE(
    (
      (
        (
          (
            STARTSWITH(LOWER(event_name), 'addpermission')
          )
          AND (
            LOWER(GET_JSON_OBJECT(request_parameters, '$.principal')) = '*'
          )
        )
        OR (
          (
            (
              STARTSWITH(LOWER(event_name), 'createfunctionurlconfig')
            )
            OR (
              STARTSWITH(LOWER(event_name), 'updatefunctionurlconfig')
            )
          )
          AND (
            LOWER(GET_JSON_OBJECT(request_parameters, '$.authType')) = 'none'
          )
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
