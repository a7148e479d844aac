"""Every table of the state database, declared once, as data.

The events have their own schema (:mod:`trailhound.schema`); everything else trailhound keeps
(quarantine, the two ledgers of files, integrations, alerts, rules, saved queries…) is a table
declared here: its columns with their DuckDB types and meaning, its primary key and time column,
whether pipe queries can read it as a dataset, and which columns hold secrets. The state
database creates its tables from these declarations (``store.state``), the query language
derives its datasets from them (``query.datasets``), and ``docs/schema.md`` lists them.
Nothing registers a table anywhere else.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class TableColumn:
    """One column of a state table."""

    name: str
    type: str  # DuckDB type
    description: str
    default: str | None = None  # SQL expression filled in when an insert names no value
    secret: bool = False  # never copied to a query, never printed
    queryable: bool = True  # offered to pipe queries when the table is a dataset


@dataclass(frozen=True, slots=True)
class Table:
    """One table of the state database."""

    name: str
    description: str
    columns: tuple[TableColumn, ...]
    primary_key: tuple[str, ...] = ()
    time_column: str | None = None  # what "when" means for a row
    queryable: bool = False  # a dataset of the pipe query language (``dataset = NAME``)

    @property
    def column_names(self) -> tuple[str, ...]:
        """Every column, in table order."""
        return tuple(c.name for c in self.columns)

    @property
    def secret_columns(self) -> frozenset[str]:
        """The columns never copied out of the state database."""
        return frozenset(c.name for c in self.columns if c.secret)


QUARANTINE = Table(
    "quarantine",
    "Input that could not be ingested, with where and why.",
    (
        TableColumn("run_id", "VARCHAR", "The ingest run that met it."),
        TableColumn("source", "VARCHAR", "File, object or stream (`uri:n` for its n-th document)."),
        TableColumn(
            "position",
            "BIGINT",
            "Record index, line number or byte offset; empty for a whole file.",
        ),
        TableColumn("reason", "VARCHAR", "Why it was not stored."),
        TableColumn("excerpt", "VARCHAR", "The first 240 characters of the offending input."),
        TableColumn("quarantined_at", "TIMESTAMPTZ", "When, UTC.", default="now()"),
    ),
    time_column="quarantined_at",
    queryable=True,
)
INGEST_RUNS = Table(
    "ingest_runs",
    "One row per ingest run, with its counts.",
    (
        TableColumn("run_id", "VARCHAR", "Start time and a random suffix."),
        TableColumn("started_at", "TIMESTAMPTZ", "When the run started."),
        TableColumn("finished_at", "TIMESTAMPTZ", "When it finished."),
        TableColumn("files", "BIGINT", "Files and objects read."),
        TableColumn("records", "BIGINT", "Records read."),
        TableColumn("events_written", "BIGINT", "Events stored."),
        TableColumn("duplicates", "BIGINT", "Records dropped as repeats of a stored event."),
        TableColumn("quarantined", "BIGINT", "Records and files quarantined."),
        TableColumn("skipped", "JSON", "Files not read, by reason."),
        TableColumn(
            "stage_seconds",
            "JSON",
            "Seconds spent per stage (load, dedupe, write, detect …), summed over threads.",
        ),
    ),
    primary_key=("run_id",),
    time_column="started_at",
)
INGESTED_FILES = Table(
    "ingested_files",
    "The ingest ledger: every file stored, so that it is not read again unless it changes.",
    (
        TableColumn("uri", "VARCHAR", "Local path or `s3://bucket/key`."),
        TableColumn("size", "BIGINT", "Bytes, as stored."),
        TableColumn(
            "mtime", "DOUBLE", "Modification time (seconds); an S3 object's ETag stands in."
        ),
        TableColumn("run_id", "VARCHAR", "The run that stored it."),
        TableColumn("records", "BIGINT", "Records read from it."),
        TableColumn("ingested_at", "TIMESTAMPTZ", "When, UTC.", default="now()"),
    ),
    primary_key=("uri",),
    time_column="ingested_at",
)
SETTINGS = Table(
    "settings",
    "Settings of the data directory (`trailhound config`).",
    (
        TableColumn("key", "VARCHAR", "The setting's name."),
        TableColumn("value", "VARCHAR", "Its value."),
    ),
    primary_key=("key",),
)
LOG_FILES_SEEN = Table(
    "log_files_seen",
    "The completeness ledger: every CloudTrail log file stored, to check against the digests.",
    (
        TableColumn("uri", "VARCHAR", "Local path or `s3://bucket/key`."),
        TableColumn("name", "VARCHAR", "The file name, which digests list."),
        TableColumn("account", "VARCHAR", "The account in the file name."),
        TableColumn("region", "VARCHAR", "The region in the file name."),
        TableColumn("hour", "TIMESTAMPTZ", "The hour of delivery."),
        TableColumn("delivered_at", "TIMESTAMPTZ", "The delivery minute in the file name."),
        TableColumn("size", "BIGINT", "Bytes, as stored."),
        TableColumn("mtime", "DOUBLE", "As in the ingest ledger."),
        TableColumn("sha256", "VARCHAR", "Of the uncompressed content; empty until known."),
        TableColumn("seen_at", "TIMESTAMPTZ", "When it was stored."),
    ),
    primary_key=("uri",),
    time_column="seen_at",
)
DIGEST_CHECKS = Table(
    "digest_checks",
    "The last check of each CloudTrail digest file.",
    (
        TableColumn("uri", "VARCHAR", "`s3://bucket/key` of the digest."),
        TableColumn("account", "VARCHAR", "Its account."),
        TableColumn("region", "VARCHAR", "Its region."),
        TableColumn("trail", "VARCHAR", "`<trail>@<home region>`."),
        TableColumn("digest_end_time", "TIMESTAMPTZ", "The end of the hour it covers."),
        TableColumn("status", "VARCHAR", "Signature and chain status."),
        TableColumn("detail", "VARCHAR", "What is wrong, if anything."),
        TableColumn("checked_at", "TIMESTAMPTZ", "When it was checked."),
    ),
    primary_key=("uri",),
    time_column="checked_at",
)
INTEGRATIONS = Table(
    "integrations",
    "Connected SQS queues of CloudTrail notifications, their state and counters.",
    (
        TableColumn("name", "VARCHAR", "The integration's name."),
        TableColumn("queue_url", "VARCHAR", "The SQS queue."),
        TableColumn("region", "VARCHAR", "The queue's region."),
        TableColumn("partition", "VARCHAR", "`aws`, `aws-cn`, `aws-us-gov`…"),
        TableColumn("role_arn", "VARCHAR", "The role assumed, if any."),
        TableColumn(
            "external_id",
            "VARCHAR",
            "Always empty: the external ID lives in the secret store.",
            secret=True,
        ),
        TableColumn("endpoint_url", "VARCHAR", "A VPC endpoint or test server."),
        TableColumn("kms_note", "VARCHAR", "A note on the KMS key in use."),
        TableColumn("accounts", "VARCHAR", "The accounts kept (`ID,ID`); empty for all."),
        TableColumn("state", "VARCHAR", "enabled, paused, error, disconnected or deleted."),
        TableColumn("last_error", "VARCHAR", "Why the last collection failed."),
        TableColumn("created_at", "TIMESTAMPTZ", "When it was added."),
        TableColumn("updated_at", "TIMESTAMPTZ", "When it last changed."),
        TableColumn("last_message_at", "TIMESTAMPTZ", "When its newest message was sent."),
        TableColumn("messages", "BIGINT", "Messages read."),
        TableColumn("objects_ingested", "BIGINT", "Objects stored."),
        TableColumn("events_ingested", "BIGINT", "Events stored."),
        TableColumn("errors", "BIGINT", "Failed attempts."),
        TableColumn("poison", "BIGINT", "Objects given up on."),
    ),
    primary_key=("name",),
    time_column="updated_at",
)
POISON_OBJECTS = Table(
    "poison_objects",
    "Objects (or messages) an integration gave up on, never dropped silently.",
    (
        TableColumn("integration", "VARCHAR", "The integration."),
        TableColumn("uri", "VARCHAR", "`s3://bucket/key`, or `sqs://<message id>` for a message."),
        TableColumn("message_id", "VARCHAR", "The SQS message that announced it."),
        TableColumn("receive_count", "BIGINT", "Deliveries tried."),
        TableColumn("reason", "VARCHAR", "Why it was given up on."),
        TableColumn("recorded_at", "TIMESTAMPTZ", "When, UTC.", default="now()"),
    ),
    time_column="recorded_at",
)
ALERTS = Table(
    "alerts",
    "Alerts: the matches of one rule with one grouping key (by default the principal and its "
    "account) less than the rule's deduplication period apart (60 minutes unless it says).",
    (
        TableColumn("id", "VARCHAR", "`al-` and a hash of the first match."),
        TableColumn("rule_id", "VARCHAR", "The rule (or detector check) that raised it."),
        TableColumn("title", "VARCHAR", "The rule's title."),
        TableColumn("severity", "VARCHAR", "informational, low, medium, high or critical."),
        TableColumn("source", "VARCHAR", "rule, analytics, ingest or ledger."),
        TableColumn("status", "VARCHAR", "new, in_progress, resolved or false_positive."),
        TableColumn("tactics", "VARCHAR[]", "ATT&CK tactics."),
        TableColumn("techniques", "VARCHAR[]", "ATT&CK technique IDs."),
        TableColumn(
            "actor", "VARCHAR", "Who acted in the first match (`actor`: with its session name)."
        ),
        TableColumn("account", "VARCHAR", "The account."),
        TableColumn("region", "VARCHAR", "The region."),
        TableColumn("source_ips", "VARCHAR[]", "Distinct source addresses (up to 100)."),
        TableColumn("first_seen", "TIMESTAMPTZ", "The first matching event's time."),
        TableColumn("last_seen", "TIMESTAMPTZ", "The last matching event's time."),
        TableColumn("count", "BIGINT", "Matching events, all of them."),
        TableColumn("event_ids", "VARCHAR[]", "Their eventIDs, the first 100 (`count` has all)."),
        TableColumn("created_at", "TIMESTAMPTZ", "When the alert was raised."),
        TableColumn("updated_at", "TIMESTAMPTZ", "When it last changed."),
        TableColumn(
            "resource",
            "VARCHAR",
            "The main resource, part of the suppression key.",
            queryable=False,
        ),
        TableColumn(
            "dedup_key",
            "VARCHAR",
            "Rule and grouping key, lower-cased: what matches must share to join the alert.",
            queryable=False,
        ),
        TableColumn(
            "principal",
            "VARCHAR",
            "The identity that acted: an assumed role's role ARN (not its session), the user's "
            "ARN, the account's root.",
        ),
        TableColumn("sessions", "VARCHAR[]", "Distinct assumed-role session names (up to 100)."),
        TableColumn("resources", "VARCHAR[]", "Distinct main resources (up to 100)."),
        TableColumn("group_fields", "VARCHAR[]", "The fields the rule groups its alerts by."),
        TableColumn("group_values", "VARCHAR[]", "Their values for this alert."),
        TableColumn(
            "explanation",
            "VARCHAR",
            "Why its first event was unusual, against which baseline (analytics alerts).",
        ),
    ),
    primary_key=("id",),
    time_column="last_seen",
    queryable=True,
)
ALERT_EVENTS = Table(
    "alert_events",
    "Every event of every alert (an alert lists the first 100): what keeps a re-run hunt from "
    "counting an event twice.",
    (
        TableColumn("alert_id", "VARCHAR", "The alert."),
        TableColumn("rule_id", "VARCHAR", "Its rule."),
        TableColumn("event_id", "VARCHAR", "The event's eventID."),
        TableColumn("event_time", "TIMESTAMPTZ", "The event's time."),
    ),
    time_column="event_time",
)
SIGNALS = Table(
    "signals",
    "Matches that raise no alert on their own: of signal rules (context rather than action) and "
    "of threshold rules; they alert through a correlation or once a threshold is reached.",
    (
        TableColumn("rule_id", "VARCHAR", "The rule that matched."),
        TableColumn("title", "VARCHAR", "The rule's title."),
        TableColumn("severity", "VARCHAR", "The rule's level."),
        TableColumn("event_id", "VARCHAR", "The event's eventID."),
        TableColumn("event_time", "TIMESTAMPTZ", "The event's time."),
        TableColumn("principal", "VARCHAR", "The identity that acted (as on alerts)."),
        TableColumn("session", "VARCHAR", "An assumed role's session name."),
        TableColumn("actor", "VARCHAR", "The event's `actor`."),
        TableColumn("account", "VARCHAR", "The account."),
        TableColumn("region", "VARCHAR", "The region."),
        TableColumn("source_ip", "VARCHAR", "The source address."),
        TableColumn("resource", "VARCHAR", "The main resource."),
        TableColumn("group_key", "VARCHAR", "The grouping key's values."),
        TableColumn("dedup_key", "VARCHAR", "Rule and grouping key, lower-cased.", queryable=False),
        TableColumn("recorded_at", "TIMESTAMPTZ", "When it was stored.", default="now()"),
    ),
    time_column="event_time",
    queryable=True,
)
SIGNAL_ROLLUPS = Table(
    "signal_rollups",
    "Every match of a signal rule (threshold 1), counted per rule, grouping key and day: "
    "`signals` keeps only the first few events of each (the bounded signal policy).",
    (
        TableColumn("rule_id", "VARCHAR", "The signal rule."),
        TableColumn("title", "VARCHAR", "The rule's title."),
        TableColumn("group_key", "VARCHAR", "The grouping key's values."),
        TableColumn("dedup_key", "VARCHAR", "Rule and grouping key, lower-cased.", queryable=False),
        TableColumn("day", "DATE", "The day (UTC) the events fall in."),
        TableColumn("count", "BIGINT", "Matching events, each counted once."),
        TableColumn("first_seen", "TIMESTAMPTZ", "The first event's time."),
        TableColumn("last_seen", "TIMESTAMPTZ", "The last event's time."),
        TableColumn("event_ids", "VARCHAR[]", "The first events' IDs (at most 5)."),
        TableColumn(
            "event_hashes",
            "UBIGINT[]",
            "A 64-bit hash of every event counted: no event is counted twice.",
            queryable=False,
        ),
        TableColumn("updated_at", "TIMESTAMPTZ", "When it last grew.", default="now()"),
    ),
    primary_key=("dedup_key", "day"),
    time_column="day",
    queryable=True,
)
ALERT_COMMENTS = Table(
    "alert_comments",
    "The comment trail of each alert, status changes included.",
    (
        TableColumn("alert_id", "VARCHAR", "The alert."),
        TableColumn("commented_at", "TIMESTAMPTZ", "When."),
        TableColumn("author", "VARCHAR", "Who."),
        TableColumn("text", "VARCHAR", "What."),
    ),
    time_column="commented_at",
)
INCIDENTS = Table(
    "incidents",
    "Incidents: alerts about one principal, access key, session or assumed-role chain, grouped.",
    (
        TableColumn("id", "VARCHAR", "`in-` and a hash of the first alert."),
        TableColumn("title", "VARCHAR", "The most severe alert's title and who is behind it."),
        TableColumn("severity", "VARCHAR", "informational, low, medium, high or critical."),
        TableColumn("score", "BIGINT", "0-100: the alerts' severities, more for more tactics."),
        TableColumn("status", "VARCHAR", "new, in_progress, resolved or false_positive."),
        TableColumn("assignee", "VARCHAR", "Who works on it; empty if nobody."),
        TableColumn("root_identity", "VARCHAR", "The first identity of the chain (root cause)."),
        TableColumn("principals", "VARCHAR[]", "Every actor of its alerts."),
        TableColumn("access_keys", "VARCHAR[]", "Access keys its alerting events used or issued."),
        TableColumn("accounts", "VARCHAR[]", "Accounts of its alerts."),
        TableColumn("source_ips", "VARCHAR[]", "Source addresses of its alerts."),
        TableColumn("rule_ids", "VARCHAR[]", "Rules (and detector checks) that raised its alerts."),
        TableColumn("tactics", "VARCHAR[]", "ATT&CK tactics of its alerts."),
        TableColumn("techniques", "VARCHAR[]", "ATT&CK technique IDs of its alerts."),
        TableColumn("alert_count", "BIGINT", "Alerts grouped."),
        TableColumn("event_count", "BIGINT", "Alerting events."),
        TableColumn("first_seen", "TIMESTAMPTZ", "The first alerting event's time."),
        TableColumn("last_seen", "TIMESTAMPTZ", "The last alerting event's time."),
        TableColumn("created_at", "TIMESTAMPTZ", "When the incident was opened."),
        TableColumn("updated_at", "TIMESTAMPTZ", "When it last changed."),
        TableColumn(
            "keys",
            "VARCHAR[]",
            "What its alerts share (`principal:`, `key:`, `source-identity:`): the grouping keys.",
            queryable=False,
        ),
    ),
    primary_key=("id",),
    time_column="last_seen",
    queryable=True,
)
INCIDENT_ALERTS = Table(
    "incident_alerts",
    "Which incident each alert belongs to (an alert belongs to one).",
    (
        TableColumn("incident_id", "VARCHAR", "The incident."),
        TableColumn("alert_id", "VARCHAR", "The alert."),
        TableColumn("keys", "VARCHAR[]", "The grouping keys of the alert's events."),
        TableColumn("root_identity", "VARCHAR", "The first identity behind the alert's events."),
        TableColumn("added_at", "TIMESTAMPTZ", "When it joined the incident."),
    ),
    primary_key=("alert_id",),
    time_column="added_at",
)
INCIDENT_COMMENTS = Table(
    "incident_comments",
    "The comment trail of each incident: status changes, assignments, merges and notes.",
    (
        TableColumn("incident_id", "VARCHAR", "The incident."),
        TableColumn("commented_at", "TIMESTAMPTZ", "When."),
        TableColumn("author", "VARCHAR", "Who."),
        TableColumn("text", "VARCHAR", "What."),
    ),
    time_column="commented_at",
)
RULE_STATE = Table(
    "rule_state",
    "Rules switched off, and the rules already run over history (retro-hunted).",
    (
        TableColumn("rule_id", "VARCHAR", "The rule."),
        TableColumn("enabled", "BOOLEAN", "Whether it runs."),
        TableColumn("added_at", "TIMESTAMPTZ", "When it was first seen or last switched."),
        TableColumn("retro_hunted_at", "TIMESTAMPTZ", "When it was run over the look-back window."),
    ),
    primary_key=("rule_id",),
    time_column="added_at",
)
SAVED_DATASETS = Table(
    "saved_datasets",
    "Results saved by `| target type = dataset|view NAME`; rows in `dataset_NAME` tables.",
    (
        TableColumn("name", "VARCHAR", "The dataset's name."),
        TableColumn("kind", "VARCHAR", "dataset (stored rows) or view (a saved query)."),
        TableColumn("query", "VARCHAR", "The pipe query that made it."),
        TableColumn("source", "VARCHAR", "The dataset that query read."),
        TableColumn("params", "JSON", "The query's parameters."),
        TableColumn("columns", "JSON", "Name, type and source column of each stored column."),
        TableColumn("time_column", "VARCHAR", "The column that says when, if any."),
        TableColumn("rows", "BIGINT", "Rows stored."),
        TableColumn("saved_at", "TIMESTAMPTZ", "When.", default="now()"),
    ),
    primary_key=("name",),
    time_column="saved_at",
)
SAVED_QUERIES = Table(
    "saved_queries",
    "The query library: named, parameterized pipe queries.",
    (
        TableColumn("name", "VARCHAR", "The query's name."),
        TableColumn("query", "VARCHAR", "Its text, `$name` marking a parameter."),
        TableColumn("description", "VARCHAR", "What it finds."),
        TableColumn("params", "JSON", "Each parameter's default (null: required)."),
        TableColumn("saved_at", "TIMESTAMPTZ", "When.", default="now()"),
    ),
    primary_key=("name",),
    time_column="saved_at",
)
INTEL_VERSIONS = Table(
    "intel_versions",
    "Each intel list installed (Tor exits, AWS ranges, country, ASN): the retro-hunt's markers.",
    (
        TableColumn("list_name", "VARCHAR", "tor, aws, country or asn."),
        TableColumn("version", "VARCHAR", "The list's version (a hash of its content)."),
        TableColumn("sha256", "VARCHAR", "The file's SHA-256."),
        TableColumn("entries", "BIGINT", "Addresses, prefixes or rows as the file counts them."),
        TableColumn("ranges", "BIGINT", "Disjoint ranges after compiling."),
        TableColumn("list_date", "VARCHAR", "The date the list states, if any."),
        TableColumn("source", "VARCHAR", "`shipped`, or the file it was installed from."),
        TableColumn("previous", "VARCHAR", "The version it replaced."),
        TableColumn("installed_at", "TIMESTAMPTZ", "When."),
    ),
    time_column="installed_at",
)
ANALYTICS_PROFILES = Table(
    "analytics_profiles",
    "Behavioural profiles: each value an identity, access key, account or VPC endpoint was seen "
    "with (`trailhound analytics profile`).",
    (
        TableColumn(
            "scope", "VARCHAR", "actor, access_key, account, vpce or person (a human's logins)."
        ),
        TableColumn("subject", "VARCHAR", "The identity (`actor`), key, account or endpoint."),
        TableColumn(
            "facet",
            "VARCHAR",
            "What was seen: service, api, region, country, asn, user_agent, bucket, console_ip, "
            "console_country, vpce, caller_account, or `any` (the subject itself).",
        ),
        TableColumn("value", "VARCHAR", "The value seen (empty for `any`)."),
        TableColumn("first_seen", "TIMESTAMPTZ", "Its first event's time."),
        TableColumn("last_seen", "TIMESTAMPTZ", "Its last event's time."),
        TableColumn("events", "BIGINT", "Events with it."),
        TableColumn("event_id", "VARCHAR", "Its first event's ID (what a hunt's alert holds)."),
    ),
    primary_key=("scope", "subject", "facet", "value"),
    time_column="last_seen",
    queryable=True,
)
ANALYTICS_VOLUME = Table(
    "analytics_volume",
    "Hourly activity of each identity, account and VPC endpoint: events and denied calls.",
    (
        TableColumn(
            "scope",
            "VARCHAR",
            "actor, account, vpce (calls through the endpoint) or actor_data (an identity's "
            "data events).",
        ),
        TableColumn("subject", "VARCHAR", "The identity, account or VPC endpoint."),
        TableColumn("hour", "TIMESTAMPTZ", "The hour, UTC."),
        TableColumn("events", "BIGINT", "Events in the hour."),
        TableColumn("denied", "BIGINT", "Calls denied in the hour."),
        TableColumn("event_id", "VARCHAR", "The hour's first event's ID."),
        TableColumn("first_time", "TIMESTAMPTZ", "The hour's first event's time."),
    ),
    primary_key=("scope", "subject", "hour"),
    time_column="hour",
)
ANALYTICS_FINDINGS = Table(
    "analytics_findings",
    "Why each analytics alert's event was unusual, one explanation per detector and event.",
    (
        TableColumn("rule_id", "VARCHAR", "The analytics detector (`analytics.<name>`)."),
        TableColumn("event_id", "VARCHAR", "The event."),
        TableColumn("event_time", "TIMESTAMPTZ", "Its time."),
        TableColumn("actor", "VARCHAR", "Who acted."),
        TableColumn("explanation", "VARCHAR", "What was unusual, against which baseline."),
        TableColumn("found_at", "TIMESTAMPTZ", "When.", default="now()"),
    ),
    primary_key=("rule_id", "event_id"),
    time_column="event_time",
    queryable=True,
)

API_KEYS = Table(
    "api_keys",
    "Keys of the REST API (`trailhound keys create`): only a hash of each key is kept.",
    (
        TableColumn("id", "VARCHAR", "The key's public ID (the part before the dot)."),
        TableColumn("name", "VARCHAR", "Who or what holds it."),
        TableColumn("role", "VARCHAR", "admin, analyst, viewer or ingest."),
        TableColumn("key_hash", "VARCHAR", "SHA-256 of the whole key.", secret=True),
        TableColumn("created_at", "TIMESTAMPTZ", "When it was made.", default="now()"),
        TableColumn("revoked_at", "TIMESTAMPTZ", "When it was revoked; empty while valid."),
    ),
    primary_key=("id",),
    time_column="created_at",
)
USERS = Table(
    "users",
    "People who sign in to the console (`trailhound users add`), with password hashes.",
    (
        TableColumn("name", "VARCHAR", "The sign-in name."),
        TableColumn("role", "VARCHAR", "admin, analyst or viewer."),
        TableColumn("password_hash", "VARCHAR", "argon2id hash of the password.", secret=True),
        TableColumn("created_at", "TIMESTAMPTZ", "When the user was added.", default="now()"),
        TableColumn("disabled_at", "TIMESTAMPTZ", "When the user was disabled; empty if active."),
    ),
    primary_key=("name",),
    time_column="created_at",
)
SETUP_LINKS = Table(
    "setup_links",
    "CloudFormation quick-create links handed out by the API, each serving its template "
    "until it expires.",
    (
        TableColumn("id", "VARCHAR", "The link's random token."),
        TableColumn("options", "JSON", "The setup options the template is built from."),
        TableColumn("region", "VARCHAR", "The region of the stack."),
        TableColumn("created_at", "TIMESTAMPTZ", "When it was made.", default="now()"),
        TableColumn("expires_at", "TIMESTAMPTZ", "When it stops working."),
    ),
    primary_key=("id",),
    time_column="created_at",
)
SUPPRESSIONS = Table(
    "suppressions",
    "Matches analysts asked not to alert on: a rule and one field's value, until an expiry.",
    (
        TableColumn("id", "VARCHAR", "`sp-` and a random suffix."),
        TableColumn("rule_id", "VARCHAR", "The rule (or detector check) whose matches it drops."),
        TableColumn("field", "VARCHAR", "principal, source_ip, account or resource."),
        TableColumn("value", "VARCHAR", "The value matched (case-insensitively)."),
        TableColumn("reason", "VARCHAR", "Why: the verdicts behind it, or the analyst's words."),
        TableColumn("created_by", "VARCHAR", "Who accepted it."),
        TableColumn("created_at", "TIMESTAMPTZ", "When."),
        TableColumn("expires_at", "TIMESTAMPTZ", "When it stops applying; empty: never."),
        TableColumn("hits", "BIGINT", "Matches it dropped.", default="0"),
    ),
    primary_key=("id",),
    time_column="created_at",
    queryable=True,
)

TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        QUARANTINE,
        INGEST_RUNS,
        INGESTED_FILES,
        SETTINGS,
        LOG_FILES_SEEN,
        DIGEST_CHECKS,
        INTEGRATIONS,
        POISON_OBJECTS,
        ALERTS,
        ALERT_EVENTS,
        SIGNALS,
        SIGNAL_ROLLUPS,
        ALERT_COMMENTS,
        INCIDENTS,
        INCIDENT_ALERTS,
        INCIDENT_COMMENTS,
        RULE_STATE,
        SAVED_DATASETS,
        SAVED_QUERIES,
        INTEL_VERSIONS,
        ANALYTICS_PROFILES,
        ANALYTICS_VOLUME,
        ANALYTICS_FINDINGS,
        API_KEYS,
        USERS,
        SETUP_LINKS,
        SUPPRESSIONS,
    )
}
SECRET_COLUMNS = frozenset(c for t in TABLES.values() for c in t.secret_columns)


def tables_markdown() -> str:
    """The state tables as a Markdown section of ``docs/schema.md``."""
    lines = [
        "## State tables",
        "",
        "Everything that is not an event lives in the state database (`state.duckdb`), declared",
        "in `src/trailhound/tables.py`. `trailhound sql` reads these tables (secret columns",
        "never); pipe queries read those marked as a dataset.",
    ]
    for table in TABLES.values():
        key = f" Primary key: `{', '.join(table.primary_key)}`." if table.primary_key else ""
        dataset = " A dataset: `dataset = " + table.name + "`." if table.queryable else ""
        lines += ["", f"### `{table.name}`", "", f"{table.description}{key}{dataset}", ""]
        lines += ["| column | type | description |", "|---|---|---|"]
        for column in table.columns:
            lines.append(f"| `{column.name}` | {column.type} | {column.description} |")
    return "\n".join(lines) + "\n"
