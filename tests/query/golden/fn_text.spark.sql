WITH step1 AS (
  SELECT
    *,
    TRY_ELEMENT_AT(REGEXP_EXTRACT_ALL(user_agent, '^([A-Za-z0-9-]+)/'), 1) AS product,
    REGEXP_EXTRACT_ALL(user_agent, '[0-9]+\\.[0-9]+\\.[0-9]+', 0) AS versions,
    CONCAT('  ', event_name, 'xx  ') AS padded
  FROM cloudtrail
  WHERE
    NOT user_agent IS NULL
), step2 AS (
  SELECT
    *,
    TRIM(padded) AS both,
    LTRIM(padded) AS `left`,
    TRIM(TRAILING 'x' FROM RTRIM(padded)) AS `right`,
    UPPER(TRIM(aws_region)) AS region,
    LOWER(event_source) AS service
  FROM step1
)
SELECT
  event_id AS `eventId`,
  product,
  versions,
  both,
  `left`,
  `right`,
  region,
  service
FROM step2
