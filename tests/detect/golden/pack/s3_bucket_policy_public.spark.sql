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
          GET_JSON_OBJECT(request_parameters, '$.bucketPolicy') RLIKE '"Principal":\\s*("\\*"|\\{"AWS":\\s*"\\*"\\})'
        )
      )
      AND (
        NOT (
          COALESCE(
            CONTAINS(LOWER(GET_JSON_OBJECT(request_parameters, '$.bucketPolicy')), '"condition"'),
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
