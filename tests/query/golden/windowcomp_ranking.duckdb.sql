WITH step1 AS (
  SELECT
    event_source AS "eventSource",
    event_name AS "eventName",
    COUNT(*) AS calls
  FROM cloudtrail
  GROUP BY
    event_source,
    event_name
), step2 AS (
  SELECT
    *,
    RANK() OVER (PARTITION BY "eventSource" ORDER BY calls DESC) AS place
  FROM step1
), step3 AS (
  SELECT
    *,
    DENSE_RANK() OVER (PARTITION BY "eventSource" ORDER BY calls DESC) AS dense_place
  FROM step2
), step4 AS (
  SELECT
    *,
    ROW_NUMBER() OVER (PARTITION BY "eventSource" ORDER BY calls DESC, "eventName" ASC) AS position
  FROM step3
), step5 AS (
  SELECT
    *,
    LEAD("eventName") OVER (PARTITION BY "eventSource" ORDER BY calls DESC, "eventName" ASC) AS next_name
  FROM step4
), step6 AS (
  SELECT
    *,
    FIRST_VALUE("eventName") OVER (PARTITION BY "eventSource" ORDER BY calls DESC, "eventName" ASC) AS most_called
  FROM step5
), step7 AS (
  SELECT
    *,
    LAST_VALUE("eventName") OVER (
      PARTITION BY "eventSource"
      ORDER BY calls DESC, "eventName" ASC
      ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING
    ) AS least_called
  FROM step6
), step8 AS (
  SELECT
    *,
    SUM(calls) OVER (PARTITION BY "eventSource") AS service_calls
  FROM step7
), step9 AS (
  SELECT
    *,
    AVG(calls) OVER (PARTITION BY "eventSource") AS service_average
  FROM step8
)
SELECT
  *,
  MAX(calls) OVER () AS busiest
FROM step9
