SELECT
  *
FROM cloudtrail
WHERE
  (
    GET_JSON_OBJECT(request_parameters, '$.bucketName')
  ) ILIKE 'logs\\_%\\%' ESCAPE '\\'
  AND user_agent ILIKE '%aws-cli%'
