WITH step1 AS (
  SELECT
    *,
    EXTRACT(YEAR FROM event_time) AS year,
    EXTRACT(QUARTER FROM event_time) AS quarter,
    EXTRACT(MONTH FROM event_time) AS month,
    WEEK_OF_YEAR(event_time) AS week,
    EXTRACT(DAY FROM event_time) AS day,
    (
      DAY_OF_WEEK(event_time) % 7
    ) + 1 AS weekday,
    DAY_OF_YEAR(event_time) AS yearday,
    EXTRACT(HOUR FROM event_time) AS hour,
    EXTRACT(MINUTE FROM event_time) AS minute,
    CAST(FLOOR(EXTRACT(SECOND FROM event_time)) AS BIGINT) AS second,
    DATE_FORMAT(event_time, '%Y-%m-%dT%TZ') AS stamp,
    DATE_PARSE(DATE_FORMAT(event_time, '%d/%m/%Y %H:%i'), '%d/%m/%Y %H:%i') AS parsed,
    DATE_PARSE(event_name, '%Y-%m-%d') AS unparsable,
    FROM_UNIXTIME(1762300800) AS epoch
  FROM cloudtrail
  WHERE
    LOWER(event_source) = 'sts.amazonaws.com'
)
SELECT
  event_id AS "eventId",
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
