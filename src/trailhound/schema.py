"""The one fixed schema of a normalized CloudTrail event, column by column.

Everything that needs to know the columns reads them from here: the normalizer builds its SQL from
``EVENT_COLUMNS``, the query compiler resolves CloudTrail field names through ``FIELD_ALIASES``,
the Sigma field mapping reuses that, and ``docs/schema.md`` is generated from it (a test keeps the
document in step).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from trailhound.tables import tables_markdown


class ColumnKind(StrEnum):
    """Where a column's value comes from."""

    TYPED = "typed"  # a CloudTrail field, cast to a SQL type
    JSON = "json"  # a free-form CloudTrail part, kept as JSON text
    DERIVED = "derived"  # computed from other columns
    PROVENANCE = "provenance"  # where the record came from
    PARTITION = "partition"  # a Hive partition key of the lake
    PROMOTED = "promoted"  # a field inside a JSON part, copied into a column of its own at ingest
    ENRICHMENT = "enrichment"  # joined from the per-address intel table, not stored in the lake


@dataclass(frozen=True, slots=True)
class Column:
    """One physical column of the ``cloudtrail`` dataset."""

    name: str
    sql_type: str
    kind: ColumnKind
    description: str
    source: str | None = None  # the dotted CloudTrail path the value is read from
    ocsf: str | None = None  # name in the source-neutral ``cloud_audit_logs`` view


T = ColumnKind.TYPED
J = ColumnKind.JSON
D = ColumnKind.DERIVED
P = ColumnKind.PROVENANCE

# Physical types are the ones every Parquet reader understands: VARCHAR, BOOLEAN, BIGINT and
# TIMESTAMPTZ (UTC). JSON parts are stored as VARCHAR so that Spark reads them as plain strings.
EVENT_COLUMNS: tuple[Column, ...] = (
    Column("event_time", "TIMESTAMPTZ", T, "When the request was made, UTC.", "eventTime", "time"),
    Column(
        "event_version",
        "VARCHAR",
        T,
        "Version of the log event format.",
        "eventVersion",
        "metadata_version",
    ),
    Column(
        "event_source",
        "VARCHAR",
        T,
        "Service the request was made to (`iam.amazonaws.com`).",
        "eventSource",
        "api_service_name",
    ),
    Column(
        "event_name",
        "VARCHAR",
        T,
        "The API action (`CreateAccessKey`).",
        "eventName",
        "api_operation",
    ),
    Column(
        "aws_region",
        "VARCHAR",
        T,
        "Region the request was made to; unknown names are kept.",
        "awsRegion",
        "cloud_region",
    ),
    Column(
        "source_ip_address",
        "VARCHAR",
        T,
        "Caller IP address, or a service name such as `ec2.amazonaws.com`.",
        "sourceIPAddress",
        "src_endpoint_ip",
    ),
    Column(
        "user_agent",
        "VARCHAR",
        T,
        "Agent through which the request was made.",
        "userAgent",
        "http_request_user_agent",
    ),
    Column(
        "error_code",
        "VARCHAR",
        T,
        "AWS error code when the request failed.",
        "errorCode",
        "status_code",
    ),
    Column(
        "error_message",
        "VARCHAR",
        T,
        "Error message when the request failed.",
        "errorMessage",
        "status_detail",
    ),
    Column(
        "request_id", "VARCHAR", T, "Service-generated request ID.", "requestID", "api_request_uid"
    ),
    Column(
        "event_id",
        "VARCHAR",
        T,
        "CloudTrail-generated unique event ID (a `th-` hash of the record where absent); "
        "the deduplication key.",
        "eventID",
        "metadata_uid",
    ),
    Column(
        "shared_event_id",
        "VARCHAR",
        T,
        "Shared by the copies of one event delivered to several accounts.",
        "sharedEventID",
        "metadata_correlation_uid",
    ),
    Column("read_only", "BOOLEAN", T, "Whether the operation is read-only.", "readOnly"),
    Column(
        "event_type",
        "VARCHAR",
        T,
        "`AwsApiCall`, `AwsServiceEvent`, `AwsConsoleSignIn`, `AwsConsoleAction`, "
        "`AwsCloudTrailInsight`, `AwsVpceEvent`.",
        "eventType",
        "activity_name",
    ),
    Column(
        "management_event", "BOOLEAN", T, "Whether this is a management event.", "managementEvent"
    ),
    Column(
        "event_category",
        "VARCHAR",
        T,
        "`Management`, `Data`, `Insight` or `NetworkActivity` (inferred from the event type "
        "where the record predates the field).",
        "eventCategory",
        "category_name",
    ),
    Column(
        "recipient_account_id",
        "VARCHAR",
        T,
        "Account that received this event.",
        "recipientAccountId",
        "cloud_account_uid",
    ),
    Column("api_version", "VARCHAR", T, "API version of an `AwsApiCall`.", "apiVersion"),
    Column(
        "vpc_endpoint_id",
        "VARCHAR",
        T,
        "VPC endpoint the request went through.",
        "vpcEndpointId",
        "src_endpoint_vpc_endpoint_uid",
    ),
    Column(
        "vpc_endpoint_account_id",
        "VARCHAR",
        T,
        "Account that owns the VPC endpoint.",
        "vpcEndpointAccountId",
    ),
    Column(
        "session_credential_from_console",
        "BOOLEAN",
        T,
        "Whether the credentials came from a console session.",
        "sessionCredentialFromConsole",
    ),
    Column(
        "tls_version",
        "VARCHAR",
        T,
        "TLS version of the request.",
        "tlsDetails.tlsVersion",
        "tls_version",
    ),
    Column("tls_cipher_suite", "VARCHAR", T, "TLS cipher suite.", "tlsDetails.cipherSuite"),
    Column(
        "tls_client_provided_host_header",
        "VARCHAR",
        T,
        "Host name the client asked for.",
        "tlsDetails.clientProvidedHostHeader",
    ),
    # userIdentity, flattened for every identity type.
    Column(
        "user_type",
        "VARCHAR",
        T,
        "Identity type: Root, IAMUser, AssumedRole, FederatedUser, AWSAccount, AWSService, "
        "IdentityCenterUser, Directory, Unknown …",
        "userIdentity.type",
        "actor_user_type",
    ),
    Column(
        "user_principal_id",
        "VARCHAR",
        T,
        "Unique identifier of the caller.",
        "userIdentity.principalId",
        "actor_user_uid",
    ),
    Column("user_arn", "VARCHAR", T, "ARN of the caller.", "userIdentity.arn"),
    Column(
        "user_account_id",
        "VARCHAR",
        T,
        "Account that owns the caller's credentials.",
        "userIdentity.accountId",
        "actor_user_account_uid",
    ),
    Column(
        "user_access_key_id",
        "VARCHAR",
        T,
        "Access key used to sign the request.",
        "userIdentity.accessKeyId",
        "actor_user_credential_uid",
    ),
    Column(
        "user_name",
        "VARCHAR",
        T,
        "Friendly name of the caller, where given.",
        "userIdentity.userName",
        "actor_user_name",
    ),
    Column(
        "user_invoked_by",
        "VARCHAR",
        T,
        "AWS service that made the request for the caller.",
        "userIdentity.invokedBy",
        "actor_invoked_by",
    ),
    Column(
        "user_identity_provider",
        "VARCHAR",
        T,
        "Identity provider of a federated caller.",
        "userIdentity.identityProvider",
        "actor_idp_name",
    ),
    Column(
        "user_credential_id",
        "VARCHAR",
        T,
        "Credential ID of an Identity Center bearer token.",
        "userIdentity.credentialId",
    ),
    Column(
        "user_on_behalf_of_user_id",
        "VARCHAR",
        T,
        "Identity Center user the call was made for.",
        "userIdentity.onBehalfOf.userId",
    ),
    Column(
        "user_on_behalf_of_identity_store_arn",
        "VARCHAR",
        T,
        "Identity store of that user.",
        "userIdentity.onBehalfOf.identityStoreArn",
    ),
    Column(
        "session_issuer_type",
        "VARCHAR",
        T,
        "Source of temporary credentials: Root, IAMUser, Role.",
        "userIdentity.sessionContext.sessionIssuer.type",
    ),
    Column(
        "session_issuer_principal_id",
        "VARCHAR",
        T,
        "Principal ID of the session issuer.",
        "userIdentity.sessionContext.sessionIssuer.principalId",
    ),
    Column(
        "session_issuer_arn",
        "VARCHAR",
        T,
        "ARN of the role (or user) that issued the session.",
        "userIdentity.sessionContext.sessionIssuer.arn",
        "actor_session_issuer",
    ),
    Column(
        "session_issuer_account_id",
        "VARCHAR",
        T,
        "Account of the session issuer.",
        "userIdentity.sessionContext.sessionIssuer.accountId",
    ),
    Column(
        "session_issuer_user_name",
        "VARCHAR",
        T,
        "Name of the session issuer.",
        "userIdentity.sessionContext.sessionIssuer.userName",
    ),
    Column(
        "session_creation_date",
        "TIMESTAMPTZ",
        T,
        "When the temporary credentials were issued.",
        "userIdentity.sessionContext.attributes.creationDate",
        "actor_session_created_time",
    ),
    Column(
        "session_mfa_authenticated",
        "BOOLEAN",
        T,
        "Whether the session's root identity authenticated with MFA.",
        "userIdentity.sessionContext.attributes.mfaAuthenticated",
        "actor_session_is_mfa",
    ),
    Column(
        "session_source_identity",
        "VARCHAR",
        T,
        "Source identity set on the role session.",
        "userIdentity.sessionContext.sourceIdentity",
    ),
    Column(
        "web_id_federated_provider",
        "VARCHAR",
        T,
        "Web identity provider of the session.",
        "userIdentity.sessionContext.webIdFederationData.federatedProvider",
    ),
    Column(
        "ec2_role_delivery",
        "VARCHAR",
        T,
        "Instance metadata service version (1.0, 2.0).",
        "userIdentity.sessionContext.ec2RoleDelivery",
    ),
    # Free-form parts, kept as JSON text.
    Column("user_identity", "VARCHAR", J, "The whole `userIdentity` element.", "userIdentity"),
    Column(
        "request_parameters",
        "VARCHAR",
        J,
        "Request parameters, as sent.",
        "requestParameters",
        "api_request_data",
    ),
    Column(
        "response_elements",
        "VARCHAR",
        J,
        "Response elements of write actions.",
        "responseElements",
        "api_response_data",
    ),
    Column(
        "additional_event_data",
        "VARCHAR",
        J,
        "Additional data about the event.",
        "additionalEventData",
    ),
    Column(
        "service_event_details", "VARCHAR", J, "Details of a service event.", "serviceEventDetails"
    ),
    Column(
        "resources",
        "VARCHAR",
        J,
        "List of resources accessed (`ARN`, `accountId`, `type`).",
        "resources",
        "resources",
    ),
    Column("insight_details", "VARCHAR", J, "Details of an Insights event.", "insightDetails"),
    Column("edge_device_details", "VARCHAR", J, "Details of an edge device.", "edgeDeviceDetails"),
    Column("addendum", "VARCHAR", J, "Why a delivery was delayed or changed.", "addendum"),
    # Promoted: the request and response fields rules and analysts filter on most, read out of
    # their JSON part at ingest (the same text a JSON lookup gives) so that a filter on one
    # reads a column instead of parsing JSON. Queries and rules use them through the dotted
    # CloudTrail name (``requestParameters.bucketName``), matched exactly as a JSON key is.
    *(
        Column(name, "VARCHAR", ColumnKind.PROMOTED, f"`{source}`, promoted.", source)
        for name, source in (
            ("request_bucket_name", "requestParameters.bucketName"),
            ("request_key", "requestParameters.key"),
            ("request_user_name", "requestParameters.userName"),
            ("request_role_name", "requestParameters.roleName"),
            ("request_role_arn", "requestParameters.roleArn"),
            ("request_policy_arn", "requestParameters.policyArn"),
            ("request_instance_id", "requestParameters.instanceId"),
            ("request_group_id", "requestParameters.groupId"),
            ("request_key_id", "requestParameters.keyId"),
            ("request_secret_id", "requestParameters.secretId"),
            ("request_function_name", "requestParameters.functionName"),
            ("request_vpc_endpoint_id", "requestParameters.vpcEndpointId"),
            ("response_console_login", "responseElements.ConsoleLogin"),
            ("additional_mfa_used", "additionalEventData.MFAUsed"),
        )
    ),
    # Derived.
    Column(
        "actor",
        "VARCHAR",
        D,
        "One stable name for who acted: role ARN + `/` + session name for an assumed role, "
        "the user ARN for an IAM user or root, the service for an AWS service, "
        "`account:<id>` for another account.",
        None,
        "actor_name",
    ),
    Column("is_console_login", "BOOLEAN", D, "The event is a `ConsoleLogin`."),
    Column(
        "is_aws_service_caller",
        "BOOLEAN",
        D,
        "The source IP is a service name (`ec2.amazonaws.com`, `AWS Internal`).",
    ),
    Column(
        "is_error",
        "BOOLEAN",
        D,
        "The request failed (an error code is present).",
        None,
        "is_failure",
    ),
    # Provenance.
    Column("raw", "VARCHAR", P, "The original record, losslessly, as JSON text.", None, "raw_data"),
    Column(
        "source_object",
        "VARCHAR",
        P,
        "File, object or stream the record came from.",
        None,
        "metadata_log_name",
    ),
    Column("source_index", "BIGINT", P, "Position of the record in its source (0-based).", None),
    Column(
        "ingested_at",
        "TIMESTAMPTZ",
        P,
        "When trailhound stored the record, UTC.",
        None,
        "metadata_processed_time",
    ),
)

# Hive partition keys, stored in the directory names (``date=YYYY-MM-DD/account=ID``).
PARTITION_COLUMNS: tuple[Column, ...] = (
    Column("date", "DATE", ColumnKind.PARTITION, "UTC date of `eventTime`."),
    Column(
        "account",
        "VARCHAR",
        ColumnKind.PARTITION,
        "`recipientAccountId`, else the caller's account, else the account in the source path, "
        "else `unknown`.",
    ),
)

ALL_COLUMNS: tuple[Column, ...] = EVENT_COLUMNS + PARTITION_COLUMNS

# What the offline intel lists say about `sourceIPAddress` (``trailhound.intel``). Not stored in the
# event files: the query engine joins them from ``<data-dir>/lake/ip_enrichment/``, which is
# rebuilt whenever a list is replaced, so a replaced list changes the answer for old events too.
_E = ColumnKind.ENRICHMENT
ENRICHMENT_COLUMNS: tuple[Column, ...] = (
    Column(
        "src_country",
        "VARCHAR",
        _E,
        "ISO 3166 country code of a public source address (geofeed, then registry data); NULL "
        "for private and reserved addresses and for service names.",
    ),
    Column(
        "src_asn",
        "BIGINT",
        _E,
        "Autonomous system number announcing a public source address; NULL where unknown.",
    ),
    Column("src_as_org", "VARCHAR", _E, "Organization that holds `src_asn`."),
    Column(
        "src_is_tor",
        "BOOLEAN",
        _E,
        "The source address is on the Tor exit list in force; false for every other address, "
        "NULL for service names (`ec2.amazonaws.com`, `AWS Internal`).",
    ),
    Column(
        "src_in_aws",
        "BOOLEAN",
        _E,
        "The call came from inside AWS: a source address in AWS's published ranges, or an AWS "
        "service name (`*.amazonaws.com`, `AWS Internal`); false for other public addresses; "
        "NULL for private and reserved addresses (a VPC, or a network reaching an endpoint) "
        "and other names.",
    ),
)
# Every column a query of ``cloudtrail`` can name.
DATASET_COLUMNS: tuple[Column, ...] = ALL_COLUMNS + ENRICHMENT_COLUMNS
COLUMNS_BY_NAME: dict[str, Column] = {c.name: c for c in DATASET_COLUMNS}

# Event categories and how to infer one from the event type for records older than the field.
EVENT_CATEGORIES: tuple[str, ...] = ("Management", "Data", "Insight", "NetworkActivity")

# The free-form parts a dotted field can reach into: CloudTrail prefix → physical JSON column.
JSON_PREFIXES: dict[str, str] = {
    c.source.lower(): c.name for c in EVENT_COLUMNS if c.kind is J and c.source is not None
}


PROMOTED_COLUMNS: tuple[Column, ...] = tuple(
    c for c in EVENT_COLUMNS if c.kind is ColumnKind.PROMOTED
)


def promoted_path(column: Column) -> tuple[str, str]:
    """``(JSON column, JSON path)`` a promoted column is read from.

    >>> promoted_path(COLUMNS_BY_NAME["request_bucket_name"])
    ('request_parameters', '$.bucketName')
    """
    part, _, key = (column.source or "").partition(".")
    return JSON_PREFIXES[part.lower()], "$." + key


# (JSON column, JSON path) → the promoted column holding that value.
PROMOTED_BY_PATH: dict[tuple[str, str], str] = {promoted_path(c): c.name for c in PROMOTED_COLUMNS}


def _aliases() -> dict[str, str]:
    """CloudTrail field names (lower-cased) and physical names → physical column.

    A promoted column's CloudTrail name is not among them: the name resolves to its JSON part
    and path as before, and the query scope reads the promoted column for that path where the
    relation has it (``query.scope``), so JSON keys are still matched exactly.
    """
    aliases: dict[str, str] = {}
    for column in DATASET_COLUMNS:
        aliases[column.name.lower()] = column.name
        if column.source is not None and column.kind is not ColumnKind.PROMOTED:
            aliases[column.source.lower()] = column.name
    # Common shorthands analysts type.
    aliases.update({"sourceip": "source_ip_address", "_time": "event_time", "time": "event_time"})
    return aliases


FIELD_ALIASES: dict[str, str] = _aliases()


def resolve_field(name: str) -> tuple[str, str | None]:
    """Map a field name as an analyst writes it to ``(column, json_path)``.

    ``json_path`` is None for a plain column, else a JSONPath into a JSON column.

    >>> resolve_field("EventName")
    ('event_name', None)
    >>> resolve_field("requestParameters.bucketName")
    ('request_parameters', '$.bucketName')
    >>> resolve_field("userIdentity.sessionContext.sessionIssuer.arn")
    ('session_issuer_arn', None)
    """
    lowered = name.lower()
    if lowered in FIELD_ALIASES:
        return FIELD_ALIASES[lowered], None
    # Longest JSON prefix first so that userIdentity.x falls back to the whole userIdentity JSON.
    for prefix in sorted(JSON_PREFIXES, key=len, reverse=True):
        if lowered.startswith(prefix + "."):
            rest = name[len(prefix) + 1 :]
            return JSON_PREFIXES[prefix], "$." + rest
    raise KeyError(name)


def field_names() -> list[str]:
    """Every name a query may use for a column: CloudTrail names first, then physical names."""
    names = [c.source for c in ALL_COLUMNS if c.source is not None]
    names += [c.name for c in DATASET_COLUMNS]
    return names


def schema_markdown() -> str:
    """``docs/schema.md``: the schema as a Markdown document (a test keeps the file in step)."""
    lines = [
        "# The `cloudtrail` dataset",
        "",
        "Generated from `src/trailhound/schema.py` by `trailhound schema`; do not edit by hand.",
        "",
        "Every CloudTrail record becomes one row. In queries, use CloudTrail's own field names",
        "(`eventName`, `userIdentity.arn`, `requestParameters.bucketName`), matched",
        "case-insensitively, or the physical column names below. A dotted name under a JSON part",
        "(`requestParameters.*`, `responseElements.*`, `additionalEventData.*`, `resources`, …)",
        "reads inside that JSON. In raw SQL (`trailhound sql`) use the physical names.",
        "",
        "The lake is zstd Parquet under `<data-dir>/lake/events/date=YYYY-MM-DD/account=ID/`;",
        "`date` and `account` are Hive partition keys (read `account` as a string: account IDs",
        "can start with 0). Timestamps are UTC (`TIMESTAMP WITH TIME ZONE`, Parquet",
        "`isAdjustedToUTC`); JSON parts are plain strings, so Spark and other engines read every",
        "column unchanged.",
        "",
        "| column | type | kind | CloudTrail field | `cloud_audit_logs` | description |",
        "|---|---|---|---|---|---|",
    ]
    for c in DATASET_COLUMNS:
        source = f"`{c.source}`" if c.source else ""
        ocsf = f"`{c.ocsf}`" if c.ocsf else ""
        lines.append(
            f"| `{c.name}` | {c.sql_type} | {c.kind.value} | {source} | {ocsf} | {c.description} |"
        )
    lines += [
        "",
        "## Enrichment: `src_*`",
        "",
        "The `enrichment` columns are not stored in the event files: they come from offline",
        "intel lists (country and ASN ranges, the Tor exit list, AWS's published ranges) through",
        "a per-address table in `<data-dir>/lake/ip_enrichment/` that the `cloudtrail` view",
        "joins on `source_ip_address`. It gains the new addresses of every ingested batch and is",
        "rebuilt whole when a list is replaced (`trailhound intel update --tor FILE`), so a",
        "query or rule over last month's events answers with the lists in force now.",
        "`trailhound intel status` shows each list's version, size and date. IPv4 and IPv6",
        "addresses (IPv4-mapped IPv6 as IPv4) are looked up; a private or reserved address",
        "(RFC 1918, CGNAT, loopback, link-local, documentation, ULA, multicast) has no country,",
        "ASN or `src_in_aws`; a service name has only `src_in_aws`. Spark reads the same table",
        "(`source_ip_address` is its key) to join it the same way.",
        "",
        "## `cloud_audit_logs`",
        "",
        "The same events under source-neutral names aligned to OCSF API Activity (class 6003),",
        "so audit logs of other clouds can be joined later: the `cloud_audit_logs` column above,",
        "plus `cloud_provider` (`AWS`), `status` (`Success` or `Failure`) and",
        "`metadata_product_name` (`CloudTrail`).",
        "",
    ]
    return "\n".join(lines) + tables_markdown()
