SELECT
  event_id
FROM cloudtrail
WHERE
  COALESCE(
    (
      (
        (
          LOWER(error_code) = 'accessdenied'
        )
        OR (
          LOWER(error_code) = 'client.unauthorizedoperation'
        )
        OR (
          LOWER(error_code) = 'unauthorizedoperation'
        )
        OR (
          LOWER(error_code) = 'accessdeniedexception'
        )
      )
      AND (
        (
          STARTS_WITH(LOWER(event_name), 'create')
        )
        OR (
          STARTS_WITH(LOWER(event_name), 'put')
        )
        OR (
          STARTS_WITH(LOWER(event_name), 'attach')
        )
        OR (
          STARTS_WITH(LOWER(event_name), 'update')
        )
        OR (
          STARTS_WITH(LOWER(event_name), 'delete')
        )
        OR (
          STARTS_WITH(LOWER(event_name), 'add')
        )
        OR (
          STARTS_WITH(LOWER(event_name), 'modify')
        )
        OR (
          STARTS_WITH(LOWER(event_name), 'run')
        )
        OR (
          STARTS_WITH(LOWER(event_name), 'leave')
        )
      )
    ),
    FALSE
  )
