WITH step1 AS (
  SELECT
    *,
    CASE
      WHEN TRIM(GET_JSON_OBJECT(additional_event_data, '$.bytesTransferredOut')) RLIKE '^[+-]?[0-9]{1,18}$'
      THEN CAST(TRIM(GET_JSON_OBJECT(additional_event_data, '$.bytesTransferredOut')) AS BIGINT)
    END AS bytes,
    TRY_CAST(GET_JSON_OBJECT(additional_event_data, '$.bytesTransferredOut') AS DOUBLE) / 1024 AS kilobytes,
    CASE LOWER(
        TRIM(GET_JSON_OBJECT(user_identity, '$.sessionContext.attributes.mfaAuthenticated'))
      )
      WHEN 'true'
      THEN TRUE
      WHEN 'false'
      THEN FALSE
    END AS mfa,
    CAST(ROUND(3.6) AS BIGINT) AS rounded,
    CASE
      WHEN TRIM(' 42 ') RLIKE '^[+-]?[0-9]{1,18}$'
      THEN CAST(TRIM(' 42 ') AS BIGINT)
    END AS whole,
    CASE
      WHEN TRIM('4.2') RLIKE '^[+-]?[0-9]{1,18}$'
      THEN CAST(TRIM('4.2') AS BIGINT)
    END AS not_whole,
    0 <> 0 AS answer
  FROM cloudtrail
  WHERE
    LOWER(event_source) = 's3.amazonaws.com'
)
SELECT
  event_id AS `eventId`,
  bytes,
  kilobytes,
  mfa,
  rounded,
  whole,
  not_whole,
  answer
FROM step1
