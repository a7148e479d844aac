SELECT
  *
FROM cloudtrail
WHERE
  event_name RLIKE '^(Create|Delete)(User|Role)$'
  AND NOT (
    LOWER(aws_region) = 'us-east-1' OR aws_region ILIKE 'eu-%'
  )
