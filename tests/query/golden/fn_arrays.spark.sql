WITH step1 AS (
  SELECT
    *,
    SPLIT(user_arn, CONCAT('\\Q', ':', '\\E')) AS parts
  FROM cloudtrail
  WHERE
    NOT user_arn IS NULL
), step2 AS (
  SELECT
    *,
    SPLIT(TRY_ELEMENT_AT(parts, 6), CONCAT('\\Q', '/', '\\E')) AS path
  FROM step1
), step3 AS (
  SELECT
    *,
    TRY_ELEMENT_AT(parts, 3) AS service,
    TRY_ELEMENT_AT(path, -1) AS last,
    TRY_ELEMENT_AT(path, 10) AS beyond,
    SIZE(path) AS depth,
    ARRAY_JOIN(TRANSFORM(path, _th_element -> UPPER(_th_element)), '/') AS shouted,
    FILTER(path, _th_element -> LENGTH(_th_element) > 12) AS long_parts
  FROM step2
)
SELECT
  event_id AS `eventId`,
  service,
  last,
  beyond,
  depth,
  shouted,
  long_parts
FROM step3
