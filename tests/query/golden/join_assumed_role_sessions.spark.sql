WITH step1 AS (
  SELECT
    event_id AS `eventId`,
    request_role_arn AS role,
    GET_JSON_OBJECT(response_elements, '$.credentials.accessKeyId') AS session_key
  FROM cloudtrail
  WHERE
    LOWER(event_name) = 'assumerole'
    AND NOT (
      GET_JSON_OBJECT(response_elements, '$.credentials.accessKeyId')
    ) IS NULL
), step2 AS (
  SELECT
    user_access_key_id AS `userIdentity.accessKeyId`,
    COUNT(*) AS calls,
    COUNT(DISTINCT event_name) AS apis
  FROM cloudtrail
  WHERE
    NOT user_access_key_id IS NULL
  GROUP BY
    user_access_key_id
), step3 AS (
  SELECT
    step1.*,
    step2.`userIdentity.accessKeyId`,
    step2.calls,
    step2.apis
  FROM step1
  INNER JOIN step2
    ON LOWER(step1.session_key) = LOWER(step2.`userIdentity.accessKeyId`)
)
SELECT
  `eventId`,
  role,
  session_key,
  calls,
  apis
FROM step3
