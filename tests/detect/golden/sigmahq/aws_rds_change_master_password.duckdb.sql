SELECT
  event_id
FROM cloudtrail
WHERE
  COALESCE(
    (
      (
        LOWER(event_source) = 'rds.amazonaws.com'
      )
      AND (
        NOT LOWER(response_elements ->> '$.pendingModifiedValues.masterUserPassword') IS NULL
      )
      AND (
        LOWER(event_name) = 'modifydbinstance'
      )
    ),
    FALSE
  )
