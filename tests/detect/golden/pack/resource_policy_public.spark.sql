SELECT
  event_id
FROM cloudtrail
WHERE
  COALESCE(
    (
      (
        (
          (
            LOWER(event_name) = 'putkeypolicy'
          )
          OR (
            LOWER(event_name) = 'setqueueattributes'
          )
          OR (
            LOWER(event_name) = 'settopicattributes'
          )
          OR (
            LOWER(event_name) = 'setrepositorypolicy'
          )
          OR (
            LOWER(event_name) = 'putresourcepolicy'
          )
          OR (
            LOWER(event_name) = 'createelasticsearchdomain'
          )
          OR (
            LOWER(event_name) = 'updateelasticsearchdomainconfig'
          )
          OR (
            LOWER(event_name) = 'createdomain'
          )
          OR (
            LOWER(event_name) = 'updatedomainconfig'
          )
          OR (
            LOWER(event_name) = 'addpermission20150331v2'
          )
          OR (
            LOWER(event_name) = 'putrepositorypolicy'
          )
        )
        AND (
          request_parameters RLIKE '"Principal\\\\?"\\s*:\\s*(\\{\\s*\\\\?"AWS\\\\?"\\s*:\\s*)?\\\\?"\\*\\\\?"'
        )
      )
      AND (
        NOT (
          COALESCE(
            (
              CONTAINS(LOWER(request_parameters), 'aws:sourceip')
            )
            OR (
              CONTAINS(LOWER(request_parameters), 'aws:sourcevpc')
            )
            OR (
              CONTAINS(LOWER(request_parameters), 'aws:sourceaccount')
            )
            OR (
              CONTAINS(LOWER(request_parameters), 'aws:sourcearn')
            )
            OR (
              CONTAINS(LOWER(request_parameters), 'aws:principalorgid')
            )
            OR (
              CONTAINS(LOWER(request_parameters), 'aws:principalaccount')
            )
            OR (
              CONTAINS(LOWER(request_parameters), 'aws:sourceorgid')
            ),
            FALSE
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
