SELECT
  *
FROM cloudtrail
WHERE
  REGEXP_MATCHES(event_name, '^(Create|Delete)(User|Role)$')
  AND NOT (
    LOWER(aws_region) = 'us-east-1' OR aws_region ILIKE 'eu-%'
  )
