SELECT
  *
FROM cloudtrail
WHERE
  request_bucket_name ILIKE 'logs\\_%\\%' ESCAPE '\\'
  AND user_agent ILIKE '%aws-cli%'
