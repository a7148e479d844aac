SELECT
  event_id
FROM cloudtrail
WHERE
  COALESCE(
    (
      (
        (
          LOWER(event_name) = 'createinstanceexporttask'
        )
        AND (
          LOWER(event_source) = 'ec2.amazonaws.com'
        )
      )
      AND (
        NOT (
          COALESCE(
            (
              NOT LOWER(error_message) IS NULL
            )
            OR (
              NOT LOWER(error_code) IS NULL
            )
            OR (
              CONTAINS(LOWER(response_elements), 'failure')
            ),
            FALSE
          )
        )
      )
    ),
    FALSE
  )
