WITH step1 AS (
  SELECT
    *,
    STR_SPLIT(user_arn, ':') AS parts
  FROM cloudtrail
  WHERE
    NOT user_arn IS NULL
), step2 AS (
  SELECT
    *,
    STR_SPLIT(parts[6], '/') AS path
  FROM step1
), step3 AS (
  SELECT
    *,
    parts[3] AS service,
    path[-1] AS last,
    path[10] AS beyond,
    ARRAY_LENGTH(path) AS depth,
    ARRAY_TO_STRING(LIST_TRANSFORM(path, LAMBDA _th_element : UPPER(_th_element)), '/') AS shouted,
    LIST_FILTER(path, LAMBDA _th_element : LENGTH(_th_element) > 12) AS long_parts
  FROM step2
)
SELECT
  event_id AS "eventId",
  service,
  last,
  beyond,
  depth,
  shouted,
  long_parts
FROM step3
