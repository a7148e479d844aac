SELECT
  event_id
FROM cloudtrail
WHERE
  COALESCE(
    (
      user_agent RLIKE '(?i)(trufflehog|pacu|scoutsuite|stratus-red-team|cloudfox|aws_consoler|prowler|kali|parrot|pentoo|weirdaal|cloudmapper|enumerate-iam|s3 browser)'
    ),
    FALSE
  )
