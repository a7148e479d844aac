WITH step1 AS (
  SELECT
    *,
    EXTRACT(YEAR FROM event_time) AS year,
    EXTRACT(QUARTER FROM event_time) AS quarter,
    EXTRACT(MONTH FROM event_time) AS month,
    WEEKOFYEAR(event_time) AS week,
    EXTRACT(DAY FROM event_time) AS day,
    (
      (
        WEEKDAY(event_time) + 1
      ) % 7
    ) + 1 AS weekday,
    DAYOFYEAR(event_time) AS yearday,
    EXTRACT(HOUR FROM event_time) AS hour,
    EXTRACT(MINUTE FROM event_time) AS minute,
    CAST(FLOOR(EXTRACT(SECOND FROM event_time)) AS BIGINT) AS second,
    DATE_FORMAT(event_time, 'yyyy-MM-dd\'T\'HH:mm:ss\'Z\'') AS stamp,
    TRY_TO_TIMESTAMP(DATE_FORMAT(event_time, 'dd/MM/yyyy HH:mm'), 'd/M/yyyy H:m') AS parsed,
    TRY_TO_TIMESTAMP(event_name, 'yyyy-M-d') AS unparsable,
    CAST(FROM_UNIXTIME(1762300800) AS TIMESTAMP) AS epoch
  FROM cloudtrail
  WHERE
    LOWER(event_source) = 'sts.amazonaws.com'
)
SELECT
  event_id AS `eventId`,
  year,
  quarter,
  month,
  week,
  day,
  weekday,
  yearday,
  hour,
  minute,
  second,
  stamp,
  parsed,
  unparsable,
  epoch
FROM step1
