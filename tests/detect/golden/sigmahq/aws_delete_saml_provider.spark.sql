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
        LOWER(event_name) = 'deletesamlprovider'
      )
      AND (
        LOWER(CASE WHEN error_code IS NULL THEN 'success' ELSE 'failure' END) = 'success'
      )
    ),
    FALSE
  )
