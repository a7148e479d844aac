WITH step1 AS (
  SELECT
    *,
    '2001:db8:' || CAST(EXTRACT(MINUTE FROM event_time) AS TEXT) || '::7' AS address
  FROM cloudtrail
), step2 AS (
  SELECT
    *,
    COALESCE(
      (
        LOWER(address) LIKE '2001:db8:%'
        AND LPAD(SPLIT_PART(SUBSTRING(LOWER(address), 10), ':', 1), 4, '0') BETWEEN '0000' AND '0fff'
      ),
      FALSE
    ) AS in_36,
    COALESCE(
      (
        LOWER(address) LIKE '2001:db8:%'
        AND LPAD(SPLIT_PART(SUBSTRING(LOWER(address), 10), ':', 1), 4, '0') BETWEEN '0010' AND '001f'
      ),
      FALSE
    ) AS in_44,
    COALESCE(
      (
        (
          LOWER(address) LIKE '2001:db8:%'
          AND LPAD(SPLIT_PART(SUBSTRING(LOWER(address), 10), ':', 1), 4, '0') BETWEEN '0040' AND '007f'
        )
        OR LOWER(address) LIKE '2001:db8:5:%'
      ),
      FALSE
    ) AS in_either
  FROM step1
)
SELECT
  address,
  in_36,
  in_44,
  in_either,
  COUNT(*) AS calls
FROM step2
GROUP BY
  address,
  in_36,
  in_44,
  in_either
