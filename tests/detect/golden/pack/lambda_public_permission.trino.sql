SELECT
  event_id
FROM cloudtrail
WHERE
  COALESCE(
    (
      (
        (
          (
            STARTS_WITH(LOWER(event_name), 'addpermission')
          )
          AND (
            LOWER(JSON_EXTRACT_SCALAR(request_parameters, '$.principal')) = '*'
          )
        )
        OR (
          (
            (
              STARTS_WITH(LOWER(event_name), 'createfunctionurlconfig')
            )
            OR (
              STARTS_WITH(LOWER(event_name), 'updatefunctionurlconfig')
            )
          )
          AND (
            LOWER(JSON_EXTRACT_SCALAR(request_parameters, '$.authType')) = 'none'
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
