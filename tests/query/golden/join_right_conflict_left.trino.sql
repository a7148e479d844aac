WITH step1 AS (
  SELECT
    source_ip_address AS "sourceIPAddress",
    event_id AS "eventId"
  FROM cloudtrail
  WHERE
    LOWER(event_name) = 'consolelogin'
), step2 AS (
  SELECT
    source_ip_address AS "sourceIPAddress",
    COUNT(*) AS calls
  FROM cloudtrail
  WHERE
    LOWER(user_type) IN ('root', 'iamuser')
  GROUP BY
    source_ip_address
), step3 AS (
  SELECT
    COALESCE(step1."sourceIPAddress", step2."sourceIPAddress") AS "sourceIPAddress",
    step1."eventId",
    step2.calls
  FROM step1
  RIGHT JOIN step2
    ON LOWER(step1."sourceIPAddress") = LOWER(step2."sourceIPAddress")
)
SELECT
  *
FROM step3
