WITH step1 AS (
  SELECT
    *,
    CASE
      WHEN REGEXP_MATCHES(TRIM(additional_event_data ->> '$.bytesTransferredOut'), '^[+-]?[0-9]{1,18}$')
      THEN CAST(TRIM(additional_event_data ->> '$.bytesTransferredOut') AS BIGINT)
    END AS bytes,
    TRY_CAST(additional_event_data ->> '$.bytesTransferredOut' AS DOUBLE) / 1024 AS kilobytes,
    CASE LOWER(TRIM(user_identity ->> '$.sessionContext.attributes.mfaAuthenticated'))
      WHEN 'true'
      THEN TRUE
      WHEN 'false'
      THEN FALSE
    END AS mfa,
    CAST(ROUND(3.6) AS BIGINT) AS rounded,
    CASE
      WHEN REGEXP_MATCHES(TRIM(' 42 '), '^[+-]?[0-9]{1,18}$')
      THEN CAST(TRIM(' 42 ') AS BIGINT)
    END AS whole,
    CASE
      WHEN REGEXP_MATCHES(TRIM('4.2'), '^[+-]?[0-9]{1,18}$')
      THEN CAST(TRIM('4.2') AS BIGINT)
    END AS not_whole,
    0 <> 0 AS answer
  FROM cloudtrail
  WHERE
    LOWER(event_source) = 's3.amazonaws.com'
)
SELECT
  event_id AS "eventId",
  bytes,
  kilobytes,
  mfa,
  rounded,
  whole,
  not_whole,
  answer
FROM step1
