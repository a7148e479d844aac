SELECT
  event_id
FROM cloudtrail
WHERE
  COALESCE(
    (
      (
        LOWER(event_source) = 'ec2.amazonaws.com'
      )
      AND (
        (
          LOWER(event_name) = 'authorizesecuritygroupegress'
        )
        OR (
          LOWER(event_name) = 'authorizesecuritygroupingress'
        )
        OR (
          LOWER(event_name) = 'revokesecuritygroupegress'
        )
        OR (
          LOWER(event_name) = 'revokesecuritygroupingress'
        )
      )
    ),
    FALSE
  )
