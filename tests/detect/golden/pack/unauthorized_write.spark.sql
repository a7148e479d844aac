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
          STARTSWITH(LOWER(event_name), 'create')
        )
        OR (
          STARTSWITH(LOWER(event_name), 'put')
        )
        OR (
          STARTSWITH(LOWER(event_name), 'attach')
        )
        OR (
          STARTSWITH(LOWER(event_name), 'update')
        )
        OR (
          STARTSWITH(LOWER(event_name), 'delete')
        )
        OR (
          STARTSWITH(LOWER(event_name), 'add')
        )
        OR (
          STARTSWITH(LOWER(event_name), 'modify')
        )
        OR (
          STARTSWITH(LOWER(event_name), 'run')
        )
        OR (
          STARTSWITH(LOWER(event_name), 'leave')
        )
      )
    ),
    FALSE
  )
