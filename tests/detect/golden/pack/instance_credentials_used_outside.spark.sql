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
          user_arn RLIKE '(?i):assumed-role/[^/]+/i-[0-9a-f]{8,17}$'
        )
      )
      AND (
        NOT (
          COALESCE(
            (
              ENDSWITH(LOWER(source_ip_address), '.amazonaws.com')
            )
            OR (
              ENDSWITH(LOWER(source_ip_address), 'aws internal')
            ),
            FALSE
          )
        )
      )
      AND (
        NOT (
          COALESCE(
            (
              STARTSWITH(source_ip_address, '10.')
            )
            OR (
              STARTSWITH(source_ip_address, '172.16.')
              OR STARTSWITH(source_ip_address, '172.17.')
              OR STARTSWITH(source_ip_address, '172.18.')
              OR STARTSWITH(source_ip_address, '172.19.')
              OR STARTSWITH(source_ip_address, '172.20.')
              OR STARTSWITH(source_ip_address, '172.21.')
              OR STARTSWITH(source_ip_address, '172.22.')
              OR STARTSWITH(source_ip_address, '172.23.')
              OR STARTSWITH(source_ip_address, '172.24.')
              OR STARTSWITH(source_ip_address, '172.25.')
              OR STARTSWITH(source_ip_address, '172.26.')
              OR STARTSWITH(source_ip_address, '172.27.')
              OR STARTSWITH(source_ip_address, '172.28.')
              OR STARTSWITH(source_ip_address, '172.29.')
              OR STARTSWITH(source_ip_address, '172.30.')
              OR STARTSWITH(source_ip_address, '172.31.')
            )
            OR (
              STARTSWITH(source_ip_address, '192.168.')
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
