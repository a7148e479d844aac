SELECT
  event_id
FROM cloudtrail
WHERE
  COALESCE(
    (
      (
        LOWER(event_name) = 'putbucketpolicy'
      )
      AND (
        REGEXP_LIKE(
          JSON_EXTRACT_SCALAR(request_parameters, '$.bucketPolicy'),
          '\{\s*(?:"\w+"\s*:\s*(?:"[^"]*"|\[[^\[\]{}]*\]|\{[^{}]*\})\s*,\s*)*(?:"Effect"\s*:\s*"Allow"\s*,\s*(?:"\w+"\s*:\s*(?:"[^"]*"|\[[^\[\]{}]*\]|\{[^{}]*\})\s*,\s*)*"Principal"\s*:\s*(?:"\*"|\{[^{}]*"AWS"\s*:\s*(?:"\*"|\[[^\]]*"\*"[^\]]*\])[^{}]*\})|"Principal"\s*:\s*(?:"\*"|\{[^{}]*"AWS"\s*:\s*(?:"\*"|\[[^\]]*"\*"[^\]]*\])[^{}]*\})\s*,\s*(?:"\w+"\s*:\s*(?:"[^"]*"|\[[^\[\]{}]*\]|\{[^{}]*\})\s*,\s*)*"Effect"\s*:\s*"Allow")(?:\s*,\s*"\w+"\s*:\s*(?:"[^"]*"|\[[^\[\]{}]*\]|\{[^{}]*\}))*\s*\}'
        )
      )
      AND (
        NOT (
          COALESCE(NOT error_code IS NULL, FALSE)
        )
      )
    ),
    FALSE
  )
