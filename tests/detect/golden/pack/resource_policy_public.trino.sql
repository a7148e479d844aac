SELECT
  event_id
FROM cloudtrail
WHERE
  COALESCE(
    (
      (
        (
          LOWER(event_name) = 'putkeypolicy'
        )
        OR (
          LOWER(event_name) = 'createkey'
        )
        OR (
          LOWER(event_name) = 'setqueueattributes'
        )
        OR (
          LOWER(event_name) = 'createqueue'
        )
        OR (
          LOWER(event_name) = 'settopicattributes'
        )
        OR (
          LOWER(event_name) = 'createtopic'
        )
        OR (
          LOWER(event_name) = 'setrepositorypolicy'
        )
        OR (
          LOWER(event_name) = 'putrepositorypermissionspolicy'
        )
        OR (
          LOWER(event_name) = 'putresourcepolicy'
        )
        OR (
          LOWER(event_name) = 'putbackupvaultaccesspolicy'
        )
        OR (
          LOWER(event_name) = 'putfilesystempolicy'
        )
        OR (
          LOWER(event_name) = 'setvaultaccesspolicy'
        )
        OR (
          LOWER(event_name) = 'putdestinationpolicy'
        )
        OR (
          LOWER(event_name) = 'createelasticsearchdomain'
        )
        OR (
          LOWER(event_name) = 'updateelasticsearchdomainconfig'
        )
        OR (
          LOWER(event_name) = 'createdomain'
        )
        OR (
          LOWER(event_name) = 'updatedomainconfig'
        )
      )
      AND (
        (
          REGEXP_LIKE(
            JSON_EXTRACT_SCALAR(request_parameters, '$.policy'),
            '\{\s*(?:"\w+"\s*:\s*(?:"[^"]*"|\[[^\[\]{}]*\]|\{[^{}]*\})\s*,\s*)*(?:"Effect"\s*:\s*"Allow"\s*,\s*(?:"\w+"\s*:\s*(?:"[^"]*"|\[[^\[\]{}]*\]|\{[^{}]*\})\s*,\s*)*"Principal"\s*:\s*(?:"\*"|\{[^{}]*"AWS"\s*:\s*(?:"\*"|\[[^\]]*"\*"[^\]]*\])[^{}]*\})|"Principal"\s*:\s*(?:"\*"|\{[^{}]*"AWS"\s*:\s*(?:"\*"|\[[^\]]*"\*"[^\]]*\])[^{}]*\})\s*,\s*(?:"\w+"\s*:\s*(?:"[^"]*"|\[[^\[\]{}]*\]|\{[^{}]*\})\s*,\s*)*"Effect"\s*:\s*"Allow")(?:\s*,\s*"\w+"\s*:\s*(?:"[^"]*"|\[[^\[\]{}]*\]|\{[^{}]*\}))*\s*\}'
          )
        )
        OR (
          REGEXP_LIKE(
            JSON_EXTRACT_SCALAR(request_parameters, '$.attributes.Policy'),
            '\{\s*(?:"\w+"\s*:\s*(?:"[^"]*"|\[[^\[\]{}]*\]|\{[^{}]*\})\s*,\s*)*(?:"Effect"\s*:\s*"Allow"\s*,\s*(?:"\w+"\s*:\s*(?:"[^"]*"|\[[^\[\]{}]*\]|\{[^{}]*\})\s*,\s*)*"Principal"\s*:\s*(?:"\*"|\{[^{}]*"AWS"\s*:\s*(?:"\*"|\[[^\]]*"\*"[^\]]*\])[^{}]*\})|"Principal"\s*:\s*(?:"\*"|\{[^{}]*"AWS"\s*:\s*(?:"\*"|\[[^\]]*"\*"[^\]]*\])[^{}]*\})\s*,\s*(?:"\w+"\s*:\s*(?:"[^"]*"|\[[^\[\]{}]*\]|\{[^{}]*\})\s*,\s*)*"Effect"\s*:\s*"Allow")(?:\s*,\s*"\w+"\s*:\s*(?:"[^"]*"|\[[^\[\]{}]*\]|\{[^{}]*\}))*\s*\}'
          )
        )
        OR (
          REGEXP_LIKE(
            JSON_EXTRACT_SCALAR(request_parameters, '$.attributeValue'),
            '\{\s*(?:"\w+"\s*:\s*(?:"[^"]*"|\[[^\[\]{}]*\]|\{[^{}]*\})\s*,\s*)*(?:"Effect"\s*:\s*"Allow"\s*,\s*(?:"\w+"\s*:\s*(?:"[^"]*"|\[[^\[\]{}]*\]|\{[^{}]*\})\s*,\s*)*"Principal"\s*:\s*(?:"\*"|\{[^{}]*"AWS"\s*:\s*(?:"\*"|\[[^\]]*"\*"[^\]]*\])[^{}]*\})|"Principal"\s*:\s*(?:"\*"|\{[^{}]*"AWS"\s*:\s*(?:"\*"|\[[^\]]*"\*"[^\]]*\])[^{}]*\})\s*,\s*(?:"\w+"\s*:\s*(?:"[^"]*"|\[[^\[\]{}]*\]|\{[^{}]*\})\s*,\s*)*"Effect"\s*:\s*"Allow")(?:\s*,\s*"\w+"\s*:\s*(?:"[^"]*"|\[[^\[\]{}]*\]|\{[^{}]*\}))*\s*\}'
          )
        )
        OR (
          REGEXP_LIKE(
            JSON_EXTRACT_SCALAR(request_parameters, '$.policyText'),
            '\{\s*(?:"\w+"\s*:\s*(?:"[^"]*"|\[[^\[\]{}]*\]|\{[^{}]*\})\s*,\s*)*(?:"Effect"\s*:\s*"Allow"\s*,\s*(?:"\w+"\s*:\s*(?:"[^"]*"|\[[^\[\]{}]*\]|\{[^{}]*\})\s*,\s*)*"Principal"\s*:\s*(?:"\*"|\{[^{}]*"AWS"\s*:\s*(?:"\*"|\[[^\]]*"\*"[^\]]*\])[^{}]*\})|"Principal"\s*:\s*(?:"\*"|\{[^{}]*"AWS"\s*:\s*(?:"\*"|\[[^\]]*"\*"[^\]]*\])[^{}]*\})\s*,\s*(?:"\w+"\s*:\s*(?:"[^"]*"|\[[^\[\]{}]*\]|\{[^{}]*\})\s*,\s*)*"Effect"\s*:\s*"Allow")(?:\s*,\s*"\w+"\s*:\s*(?:"[^"]*"|\[[^\[\]{}]*\]|\{[^{}]*\}))*\s*\}'
          )
        )
        OR (
          REGEXP_LIKE(
            JSON_EXTRACT_SCALAR(request_parameters, '$.resourcePolicy'),
            '\{\s*(?:"\w+"\s*:\s*(?:"[^"]*"|\[[^\[\]{}]*\]|\{[^{}]*\})\s*,\s*)*(?:"Effect"\s*:\s*"Allow"\s*,\s*(?:"\w+"\s*:\s*(?:"[^"]*"|\[[^\[\]{}]*\]|\{[^{}]*\})\s*,\s*)*"Principal"\s*:\s*(?:"\*"|\{[^{}]*"AWS"\s*:\s*(?:"\*"|\[[^\]]*"\*"[^\]]*\])[^{}]*\})|"Principal"\s*:\s*(?:"\*"|\{[^{}]*"AWS"\s*:\s*(?:"\*"|\[[^\]]*"\*"[^\]]*\])[^{}]*\})\s*,\s*(?:"\w+"\s*:\s*(?:"[^"]*"|\[[^\[\]{}]*\]|\{[^{}]*\})\s*,\s*)*"Effect"\s*:\s*"Allow")(?:\s*,\s*"\w+"\s*:\s*(?:"[^"]*"|\[[^\[\]{}]*\]|\{[^{}]*\}))*\s*\}'
          )
        )
        OR (
          REGEXP_LIKE(
            JSON_EXTRACT_SCALAR(request_parameters, '$.policyDocument'),
            '\{\s*(?:"\w+"\s*:\s*(?:"[^"]*"|\[[^\[\]{}]*\]|\{[^{}]*\})\s*,\s*)*(?:"Effect"\s*:\s*"Allow"\s*,\s*(?:"\w+"\s*:\s*(?:"[^"]*"|\[[^\[\]{}]*\]|\{[^{}]*\})\s*,\s*)*"Principal"\s*:\s*(?:"\*"|\{[^{}]*"AWS"\s*:\s*(?:"\*"|\[[^\]]*"\*"[^\]]*\])[^{}]*\})|"Principal"\s*:\s*(?:"\*"|\{[^{}]*"AWS"\s*:\s*(?:"\*"|\[[^\]]*"\*"[^\]]*\])[^{}]*\})\s*,\s*(?:"\w+"\s*:\s*(?:"[^"]*"|\[[^\[\]{}]*\]|\{[^{}]*\})\s*,\s*)*"Effect"\s*:\s*"Allow")(?:\s*,\s*"\w+"\s*:\s*(?:"[^"]*"|\[[^\[\]{}]*\]|\{[^{}]*\}))*\s*\}'
          )
        )
        OR (
          REGEXP_LIKE(
            JSON_EXTRACT_SCALAR(request_parameters, '$.accessPolicies'),
            '\{\s*(?:"\w+"\s*:\s*(?:"[^"]*"|\[[^\[\]{}]*\]|\{[^{}]*\})\s*,\s*)*(?:"Effect"\s*:\s*"Allow"\s*,\s*(?:"\w+"\s*:\s*(?:"[^"]*"|\[[^\[\]{}]*\]|\{[^{}]*\})\s*,\s*)*"Principal"\s*:\s*(?:"\*"|\{[^{}]*"AWS"\s*:\s*(?:"\*"|\[[^\]]*"\*"[^\]]*\])[^{}]*\})|"Principal"\s*:\s*(?:"\*"|\{[^{}]*"AWS"\s*:\s*(?:"\*"|\[[^\]]*"\*"[^\]]*\])[^{}]*\})\s*,\s*(?:"\w+"\s*:\s*(?:"[^"]*"|\[[^\[\]{}]*\]|\{[^{}]*\})\s*,\s*)*"Effect"\s*:\s*"Allow")(?:\s*,\s*"\w+"\s*:\s*(?:"[^"]*"|\[[^\[\]{}]*\]|\{[^{}]*\}))*\s*\}'
          )
        )
        OR (
          REGEXP_LIKE(
            JSON_EXTRACT_SCALAR(request_parameters, '$.policyInJson'),
            '\{\s*(?:"\w+"\s*:\s*(?:"[^"]*"|\[[^\[\]{}]*\]|\{[^{}]*\})\s*,\s*)*(?:"Effect"\s*:\s*"Allow"\s*,\s*(?:"\w+"\s*:\s*(?:"[^"]*"|\[[^\[\]{}]*\]|\{[^{}]*\})\s*,\s*)*"Principal"\s*:\s*(?:"\*"|\{[^{}]*"AWS"\s*:\s*(?:"\*"|\[[^\]]*"\*"[^\]]*\])[^{}]*\})|"Principal"\s*:\s*(?:"\*"|\{[^{}]*"AWS"\s*:\s*(?:"\*"|\[[^\]]*"\*"[^\]]*\])[^{}]*\})\s*,\s*(?:"\w+"\s*:\s*(?:"[^"]*"|\[[^\[\]{}]*\]|\{[^{}]*\})\s*,\s*)*"Effect"\s*:\s*"Allow")(?:\s*,\s*"\w+"\s*:\s*(?:"[^"]*"|\[[^\[\]{}]*\]|\{[^{}]*\}))*\s*\}'
          )
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
