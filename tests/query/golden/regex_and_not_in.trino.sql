SELECT
  *
FROM cloudtrail
WHERE
  REGEXP_LIKE(event_name, '^(Create|Delete)(User|Role)$')
  AND NOT (
    LOWER(aws_region) = 'us-east-1' OR LOWER(aws_region) LIKE LOWER('eu-%')
  )
