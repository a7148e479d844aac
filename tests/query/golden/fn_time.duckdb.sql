WITH step1 AS (
  SELECT
    *,
    EXTRACT(YEAR FROM event_time) AS year,
    EXTRACT(QUARTER FROM event_time) AS quarter,
    EXTRACT(MONTH FROM event_time) AS month,
    WEEKOFYEAR(event_time) AS week,
    EXTRACT(DAY FROM event_time) AS day,
    (
      ISODOW(event_time) % 7
    ) + 1 AS weekday,
    DAYOFYEAR(event_time) AS yearday,
    EXTRACT(HOUR FROM event_time) AS hour,
    EXTRACT(MINUTE FROM event_time) AS minute,
    CAST(FLOOR(EXTRACT(SECOND FROM event_time)) AS BIGINT) AS second,
    STRFTIME(event_time, '%Y-%m-%dT%H:%M:%SZ') AS stamp,
    CAST(TRY_STRPTIME(STRFTIME(event_time, '%d/%m/%Y %H:%M'), '%d/%m/%Y %H:%M') AS TIMESTAMP) AS parsed,
    CAST(TRY_STRPTIME(event_name, '%Y-%m-%d') AS TIMESTAMP) AS unparsable,
    TO_TIMESTAMP(1762300800) AS epoch
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
