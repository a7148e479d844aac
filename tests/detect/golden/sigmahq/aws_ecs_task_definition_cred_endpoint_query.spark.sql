SELECT
  event_id
FROM cloudtrail
WHERE
  COALESCE(
    (
      (
        LOWER(event_source) = 'ecs.amazonaws.com'
      )
      AND (
        (
          LOWER(event_name) = 'describetaskdefinition'
        )
        OR (
          LOWER(event_name) = 'registertaskdefinition'
        )
        OR (
          LOWER(event_name) = 'runtask'
        )
      )
      AND (
        CONTAINS(
          LOWER(GET_JSON_OBJECT(request_parameters, '$.containerDefinitions.command')),
          '$aws_container_credentials_relative_uri'
        )
      )
    ),
    FALSE
  )
