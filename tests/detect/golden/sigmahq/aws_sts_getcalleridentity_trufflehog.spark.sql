SELECT
  event_id
FROM cloudtrail
WHERE
  COALESCE(
    (
      (
        LOWER(event_source) = 'sts.amazonaws.com'
      )
      AND (
        LOWER(event_name) = 'getcalleridentity'
      )
      AND (
        CONTAINS(LOWER(user_agent), 'trufflehog')
      )
    ),
    FALSE
  )
