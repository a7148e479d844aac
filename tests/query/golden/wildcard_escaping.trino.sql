SELECT
  *
FROM cloudtrail
WHERE
  LOWER((
    JSON_EXTRACT_SCALAR(request_parameters, '$.bucketName')
  )) LIKE LOWER('logs\_%\%') ESCAPE '\'
  AND LOWER(user_agent) LIKE LOWER('%aws-cli%')
