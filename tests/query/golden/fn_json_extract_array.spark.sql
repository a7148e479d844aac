WITH step1 AS (
  SELECT
    *,
    FROM_JSON(GET_JSON_OBJECT(resources, '$'), 'ARRAY<STRING>') AS items,
    FROM_JSON(GET_JSON_OBJECT(request_parameters, '$.instancesSet.items'), 'ARRAY<STRING>') AS instances
  FROM cloudtrail
  WHERE
    NOT resources IS NULL
), step2 AS (
  SELECT
    *,
    TRANSFORM(items, _th_element -> GET_JSON_OBJECT(_th_element, '$.ARN')) AS arns,
    GET_JSON_OBJECT(TRY_ELEMENT_AT(items, 1), '$.type') AS first_type,
    TRANSFORM(instances, _th_element -> GET_JSON_OBJECT(_th_element, '$.instanceId')) AS instance_ids
  FROM step1
)
SELECT
  event_id AS `eventId`,
  arns,
  first_type,
  instance_ids
FROM step2
