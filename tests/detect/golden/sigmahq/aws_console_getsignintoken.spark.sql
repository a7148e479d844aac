SELECT
  event_id
FROM cloudtrail
WHERE
  COALESCE(
    (
      (
        (
          LOWER(event_source) = 'signin.amazonaws.com'
        )
        AND (
          LOWER(event_name) = 'getsignintoken'
        )
      )
      AND (
        NOT (
          COALESCE(CONTAINS(LOWER(user_agent), 'jersey/${project.version}'), FALSE)
        )
      )
    ),
    FALSE
  )
