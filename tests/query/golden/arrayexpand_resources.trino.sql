WITH step1 AS (
  SELECT
    *
  FROM cloudtrail
  WHERE
    read_only = FALSE AND NOT resources IS NULL
), step2 AS (
  SELECT
    event_time,
    event_version,
    event_source,
    event_name,
    aws_region,
    source_ip_address,
    user_agent,
    error_code,
    error_message,
    request_id,
    event_id,
    shared_event_id,
    read_only,
    event_type,
    management_event,
    event_category,
    recipient_account_id,
    api_version,
    vpc_endpoint_id,
    vpc_endpoint_account_id,
    session_credential_from_console,
    tls_version,
    tls_cipher_suite,
    tls_client_provided_host_header,
    user_type,
    user_principal_id,
    user_arn,
    user_account_id,
    user_access_key_id,
    user_name,
    user_invoked_by,
    user_identity_provider,
    user_credential_id,
    user_on_behalf_of_user_id,
    user_on_behalf_of_identity_store_arn,
    session_issuer_type,
    session_issuer_principal_id,
    session_issuer_arn,
    session_issuer_account_id,
    session_issuer_user_name,
    session_creation_date,
    session_mfa_authenticated,
    session_source_identity,
    web_id_federated_provider,
    ec2_role_delivery,
    user_identity,
    request_parameters,
    response_elements,
    additional_event_data,
    service_event_details,
    _th_unnest._th_item AS resources,
    insight_details,
    edge_device_details,
    addendum,
    actor,
    is_console_login,
    is_aws_service_caller,
    is_error,
    raw,
    source_object,
    source_index,
    ingested_at,
    "date",
    account,
    src_country,
    src_asn,
    src_as_org,
    src_is_tor,
    src_in_aws
  FROM step1
  CROSS JOIN UNNEST(SLICE(
    TRANSFORM(
      TRY_CAST(JSON_EXTRACT(resources, '$') AS ARRAY(JSON)),
      _th_json -> COALESCE(JSON_EXTRACT_SCALAR(_th_json, '$'), JSON_FORMAT(CAST(_th_json AS JSON)))
    ),
    1,
    1
  )) AS _th_unnest(_th_item)
)
SELECT
  event_id AS "eventId",
  JSON_EXTRACT_SCALAR(resources, '$.ARN') AS "resources.ARN",
  JSON_EXTRACT_SCALAR(resources, '$.type') AS "resources.type"
FROM step2
