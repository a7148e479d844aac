SELECT
  event_time AS `eventTime`,
  event_name AS `eventName`,
  source_ip_address AS `sourceIPAddress`,
  recipient_account_id AS `recipientAccountId`
FROM cloudtrail
WHERE
  LOWER(user_type) = 'root'
  AND user_invoked_by IS NULL
  AND LOWER(event_type) <> 'awsserviceevent'
