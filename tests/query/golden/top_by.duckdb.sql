WITH step1 AS (
  SELECT
    recipient_account_id AS "recipientAccountId",
    event_name AS "eventName",
    COUNT(*) AS count
  FROM cloudtrail
  GROUP BY
    recipient_account_id,
    event_name
), step2 AS (
  SELECT
    *,
    ROW_NUMBER() OVER (PARTITION BY "recipientAccountId" ORDER BY count DESC, "eventName" ASC) AS _th_row
  FROM step1
)
SELECT
  "recipientAccountId",
  "eventName",
  count
FROM step2
WHERE
  _th_row <= 3
ORDER BY
  "recipientAccountId" ASC,
  count DESC,
  "eventName" ASC
