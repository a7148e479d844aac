SELECT
  event_id
FROM cloudtrail
WHERE
  COALESCE(
    (
      (
        CONTAINS(LOWER(user_agent), 'trufflehog')
      )
      OR (
        CONTAINS(LOWER(user_agent), 'pacu')
      )
      OR (
        CONTAINS(LOWER(user_agent), 'scoutsuite')
      )
      OR (
        CONTAINS(LOWER(user_agent), 'stratus-red-team')
      )
      OR (
        CONTAINS(LOWER(user_agent), 'cloudfox')
      )
      OR (
        CONTAINS(LOWER(user_agent), 'aws_consoler')
      )
      OR (
        CONTAINS(LOWER(user_agent), 'prowler')
      )
      OR (
        CONTAINS(LOWER(user_agent), 'kali')
      )
      OR (
        CONTAINS(LOWER(user_agent), 'parrot')
      )
      OR (
        CONTAINS(LOWER(user_agent), 'pentoo')
      )
      OR (
        CONTAINS(LOWER(user_agent), 'weirdaal')
      )
      OR (
        CONTAINS(LOWER(user_agent), 'cloudmapper')
      )
      OR (
        CONTAINS(LOWER(user_agent), 'enumerate-iam')
      )
      OR (
        CONTAINS(LOWER(user_agent), 's3 browser')
      )
    ),
    FALSE
  )
