SELECT
  *
FROM cloudtrail
WHERE
  (
    request_parameters ->> '$.bucketName'
  ) ILIKE 'logs\_%\%' ESCAPE '\'
  AND user_agent ILIKE '%aws-cli%'
