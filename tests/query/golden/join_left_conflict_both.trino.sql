WITH step1 AS (
  SELECT
    event_id AS "eventId",
    source_ip_address AS "sourceIPAddress"
  FROM cloudtrail
  WHERE
    LOWER(event_name) = 'consolelogin'
), step2 AS (
  SELECT
    source_ip_address AS "sourceIPAddress",
    COUNT(*) AS writes
  FROM cloudtrail
  WHERE
    read_only = FALSE
  GROUP BY
    source_ip_address
), step3 AS (
  SELECT
    step1.*,
    step2."sourceIPAddress" AS "w_sourceIPAddress",
    step2.writes
  FROM step1
  LEFT JOIN step2
    ON LOWER(step1."sourceIPAddress") = LOWER(step2."sourceIPAddress")
)
SELECT
  *
FROM step3
