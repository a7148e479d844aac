SELECT
  event_id
FROM cloudtrail
WHERE
  COALESCE(
    (
      REGEXP_MATCHES(
        user_agent,
        '(trufflehog|pacu|scoutsuite|stratus-red-team|cloudfox|aws_consoler|prowler|kali|parrot|pentoo|weirdaal|cloudmapper|enumerate-iam|s3 browser)',
        'i'
      )
    ),
    FALSE
  )
