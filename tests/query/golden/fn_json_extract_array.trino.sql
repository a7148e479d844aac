WITH step1 AS (
  SELECT
    *,
    TRANSFORM(
      TRY_CAST(JSON_EXTRACT(resources, '$') AS ARRAY(JSON)),
      _th_json -> COALESCE(JSON_EXTRACT_SCALAR(_th_json, '$'), JSON_FORMAT(CAST(_th_json AS JSON)))
    ) AS items,
    TRANSFORM(
      TRY_CAST(JSON_EXTRACT(request_parameters, '$.instancesSet.items') AS ARRAY(JSON)),
      _th_json -> COALESCE(JSON_EXTRACT_SCALAR(_th_json, '$'), JSON_FORMAT(CAST(_th_json AS JSON)))
    ) AS instances
  FROM cloudtrail
  WHERE
    NOT resources IS NULL
), step2 AS (
  SELECT
    *,
    TRANSFORM(items, _th_element -> JSON_EXTRACT_SCALAR(_th_element, '$.ARN')) AS arns,
    JSON_EXTRACT_SCALAR(ELEMENT_AT(items, 1), '$.type') AS first_type,
    TRANSFORM(instances, _th_element -> JSON_EXTRACT_SCALAR(_th_element, '$.instanceId')) AS instance_ids
  FROM step1
)
SELECT
  event_id AS "eventId",
  arns,
  first_type,
  instance_ids
FROM step2
