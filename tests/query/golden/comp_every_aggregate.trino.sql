WITH step1 AS (
  SELECT
    user_arn AS "userIdentity.arn",
    COUNT(*) AS events,
    COUNT(DISTINCT source_ip_address) AS ips,
    SUM(source_index) AS sum_source_index,
    MIN(event_time) AS min_event_time,
    MAX(event_time) AS max_event_time,
    AVG(source_index) AS avg_source_index,
    ARRAY_SORT(ARRAY_AGG(DISTINCT aws_region) FILTER(WHERE
      NOT aws_region IS NULL)) AS regions,
    MIN_BY(source_ip_address, event_time) AS first_ip,
    MAX_BY(source_ip_address, event_time) AS last_ip
  FROM cloudtrail
  GROUP BY
    user_arn
)
SELECT
  *
FROM step1
WHERE
  events > 10
ORDER BY
  events DESC
