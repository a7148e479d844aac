WITH step1 AS (
  SELECT
    *,
    TRY_CAST(resources -> '$' AS TEXT[]) AS items,
    TRY_CAST(request_parameters -> '$.instancesSet.items' AS TEXT[]) AS instances
  FROM cloudtrail
  WHERE
    NOT resources IS NULL
), step2 AS (
  SELECT
    *,
    LIST_TRANSFORM(items, LAMBDA _th_element : _th_element ->> '$.ARN') AS arns,
    items[1] ->> '$.type' AS first_type,
    LIST_TRANSFORM(instances, LAMBDA _th_element : _th_element ->> '$.instanceId') AS instance_ids
  FROM step1
)
SELECT
  event_id AS "eventId",
  arns,
  first_type,
  instance_ids
FROM step2
