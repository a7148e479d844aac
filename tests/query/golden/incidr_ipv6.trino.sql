SELECT
  *
FROM cloudtrail
WHERE
  COALESCE(
    (
      LOWER(source_ip_address) LIKE '2001:db8:0:%'
      OR LOWER(source_ip_address) LIKE '2001:db8::%'
    ),
    FALSE
  )
