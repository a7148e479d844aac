SELECT
  event_id
FROM cloudtrail
WHERE
  COALESCE(
    (
      (
        (
          LOWER(user_type) = 'assumedrole'
        )
        AND (
          CONTAINS(LOWER(user_arn), '/i-')
        )
        AND (
          REGEXP_LIKE(user_arn, '(?i):assumed-role/[^/]+/i-[0-9a-f]{8,17}$')
        )
      )
      AND (
        NOT (
          COALESCE(
            (
              ENDS_WITH(LOWER(source_ip_address), '.amazonaws.com')
            )
            OR (
              ENDS_WITH(LOWER(source_ip_address), 'aws internal')
            ),
            FALSE
          )
        )
      )
      AND (
        NOT (
          COALESCE(
            (
              STARTS_WITH(source_ip_address, '10.')
            )
            OR (
              STARTS_WITH(source_ip_address, '172.16.')
              OR STARTS_WITH(source_ip_address, '172.17.')
              OR STARTS_WITH(source_ip_address, '172.18.')
              OR STARTS_WITH(source_ip_address, '172.19.')
              OR STARTS_WITH(source_ip_address, '172.20.')
              OR STARTS_WITH(source_ip_address, '172.21.')
              OR STARTS_WITH(source_ip_address, '172.22.')
              OR STARTS_WITH(source_ip_address, '172.23.')
              OR STARTS_WITH(source_ip_address, '172.24.')
              OR STARTS_WITH(source_ip_address, '172.25.')
              OR STARTS_WITH(source_ip_address, '172.26.')
              OR STARTS_WITH(source_ip_address, '172.27.')
              OR STARTS_WITH(source_ip_address, '172.28.')
              OR STARTS_WITH(source_ip_address, '172.29.')
              OR STARTS_WITH(source_ip_address, '172.30.')
              OR STARTS_WITH(source_ip_address, '172.31.')
            )
            OR (
              STARTS_WITH(source_ip_address, '192.168.')
            ),
            FALSE
          )
        )
      )
      AND (
        NOT (
          COALESCE(NOT vpc_endpoint_id IS NULL, FALSE)
        )
      )
      AND (
        NOT (
          COALESCE(NOT user_invoked_by IS NULL, FALSE)
        )
      )
      AND (
        NOT (
          COALESCE(
            (
              (
                LOWER(event_source) = 'ssm.amazonaws.com'
              )
              OR (
                LOWER(event_source) = 'ec2messages.amazonaws.com'
              )
              OR (
                LOWER(event_source) = 'ssmmessages.amazonaws.com'
              )
            )
            AND (
              (
                LOWER(event_name) = 'updateinstanceinformation'
              )
              OR (
                LOWER(event_name) = 'listinstanceassociations'
              )
              OR (
                LOWER(event_name) = 'updateinstanceassociationstatus'
              )
              OR (
                LOWER(event_name) = 'putinventory'
              )
              OR (
                LOWER(event_name) = 'getmessages'
              )
              OR (
                LOWER(event_name) = 'acknowledgemessage'
              )
              OR (
                LOWER(event_name) = 'sendreply'
              )
              OR (
                LOWER(event_name) = 'createcontrolchannel'
              )
              OR (
                LOWER(event_name) = 'opencontrolchannel'
              )
            ),
            FALSE
          )
        )
      )
    ),
    FALSE
  )
