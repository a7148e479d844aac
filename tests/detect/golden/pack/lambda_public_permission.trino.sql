SELECT
  event_id
FROM cloudtrail
WHERE
  COALESCE(
    (
      (
        (
          (
            (
              (
                LOWER(event_name) = 'addpermission'
              )
              OR (
                LOWER(event_name) = 'addpermission20150331'
              )
              OR (
                LOWER(event_name) = 'addpermission20150331v2'
              )
            )
            AND (
              LOWER(JSON_EXTRACT_SCALAR(request_parameters, '$.principal')) = '*'
            )
          )
          AND (
            NOT (
              COALESCE(
                NOT (
                  JSON_EXTRACT_SCALAR(request_parameters, '$.principalOrgID')
                ) IS NULL,
                FALSE
              )
            )
          )
        )
        OR (
          (
            (
              LOWER(event_name) = 'createfunctionurlconfig'
            )
            OR (
              LOWER(event_name) = 'createfunctionurlconfig20211031'
            )
            OR (
              LOWER(event_name) = 'updatefunctionurlconfig'
            )
            OR (
              LOWER(event_name) = 'updatefunctionurlconfig20211031'
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
