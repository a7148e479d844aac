SELECT
  event_id
FROM cloudtrail
WHERE
  COALESCE(
    (
      (
        (
          LOWER(event_name) = 'putuserpolicy'
        )
        OR (
          LOWER(event_name) = 'putrolepolicy'
        )
        OR (
          LOWER(event_name) = 'putgrouppolicy'
        )
        OR (
          LOWER(event_name) = 'createpolicyversion'
        )
        OR (
          LOWER(event_name) = 'createpolicy'
        )
      )
      AND (
        REGEXP_LIKE(
          JSON_EXTRACT_SCALAR(request_parameters, '$.policyDocument'),
          '\{\s*(?:"\w+"\s*:\s*(?:"[^"]*"|\[[^\[\]{}]*\]|\{(?:[^{}]|\{[^{}]*\})*\})\s*,\s*)*(?:"Effect"\s*:\s*"Allow"\s*,\s*(?:"\w+"\s*:\s*(?:"[^"]*"|\[[^\[\]{}]*\]|\{(?:[^{}]|\{[^{}]*\})*\})\s*,\s*)*"Action"\s*:\s*(?:"(?:\*|iam:\*|\*:\*)"|\[[^\]]*"(?:\*|iam:\*|\*:\*)"[^\]]*\])|"Action"\s*:\s*(?:"(?:\*|iam:\*|\*:\*)"|\[[^\]]*"(?:\*|iam:\*|\*:\*)"[^\]]*\])\s*,\s*(?:"\w+"\s*:\s*(?:"[^"]*"|\[[^\[\]{}]*\]|\{(?:[^{}]|\{[^{}]*\})*\})\s*,\s*)*"Effect"\s*:\s*"Allow")(?:\s*,\s*"\w+"\s*:\s*(?:"[^"]*"|\[[^\[\]{}]*\]|\{(?:[^{}]|\{[^{}]*\})*\}))*\s*\}'
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
