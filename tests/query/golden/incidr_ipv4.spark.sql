SELECT
  *
FROM cloudtrail
WHERE
  CASE
    WHEN source_ip_address RLIKE '^((25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\\.){3}(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])$'
    THEN (
      TRY_CAST(SPLIT_PART(source_ip_address, '.', 1) AS BIGINT) * 16777216 + TRY_CAST(SPLIT_PART(source_ip_address, '.', 2) AS BIGINT) * 65536 + TRY_CAST(SPLIT_PART(source_ip_address, '.', 3) AS BIGINT) * 256 + TRY_CAST(SPLIT_PART(source_ip_address, '.', 4) AS BIGINT)
    ) BETWEEN 167772160 AND 184549375
    OR (
      TRY_CAST(SPLIT_PART(source_ip_address, '.', 1) AS BIGINT) * 16777216 + TRY_CAST(SPLIT_PART(source_ip_address, '.', 2) AS BIGINT) * 65536 + TRY_CAST(SPLIT_PART(source_ip_address, '.', 3) AS BIGINT) * 256 + TRY_CAST(SPLIT_PART(source_ip_address, '.', 4) AS BIGINT)
    ) BETWEEN 3232235520 AND 3232301055
    ELSE FALSE
  END
  AND NOT CASE
    WHEN source_ip_address RLIKE '^((25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\\.){3}(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])$'
    THEN (
      TRY_CAST(SPLIT_PART(source_ip_address, '.', 1) AS BIGINT) * 16777216 + TRY_CAST(SPLIT_PART(source_ip_address, '.', 2) AS BIGINT) * 65536 + TRY_CAST(SPLIT_PART(source_ip_address, '.', 3) AS BIGINT) * 256 + TRY_CAST(SPLIT_PART(source_ip_address, '.', 4) AS BIGINT)
    ) BETWEEN 167837696 AND 167903231
    ELSE FALSE
  END
