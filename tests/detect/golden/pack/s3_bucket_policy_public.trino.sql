SELECT
  event_id
FROM cloudtrail
WHERE
  COALESCE(
    (
      (
        (
          LOWER(event_name) = 'putbucketpolicy'
        )
        AND (
          REGEXP_LIKE(
            JSON_EXTRACT_SCALAR(request_parameters, '$.bucketPolicy'),
            '"Principal":\s*("\*"|\{"AWS":\s*"\*"\})'
          )
        )
      )
      AND (
        NOT (
          COALESCE(
            CONTAINS(LOWER(JSON_EXTRACT_SCALAR(request_parameters, '$.bucketPolicy')), '"condition"'),
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
