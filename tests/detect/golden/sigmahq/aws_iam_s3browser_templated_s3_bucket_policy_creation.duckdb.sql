SELECT
  event_id
FROM cloudtrail
WHERE
  COALESCE(
    (
      (
        LOWER(event_source) = 'iam.amazonaws.com'
      )
      AND (
        LOWER(event_name) = 'putuserpolicy'
      )
      AND (
        CONTAINS(LOWER(user_agent), 's3 browser')
      )
      AND (
        (
          LOWER(request_parameters) LIKE '%"arn:aws:s3:::<your-bucket-name>/%"%' ESCAPE '\'
        )
        AND (
          CONTAINS(LOWER(request_parameters), '"s3:getobject"')
        )
        AND (
          CONTAINS(LOWER(request_parameters), '"allow"')
        )
      )
    ),
    FALSE
  )
