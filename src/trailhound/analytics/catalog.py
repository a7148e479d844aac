"""The analytics detectors: their declarations, and the SQL of those that read events directly.

Two kinds. *Profile* detectors (``scope`` and ``facet`` set) report a value their subject was
never seen with, once the subject has been profiled for the training period: the first service
or API an identity calls, its first region, country or ASN, an account's first region, a
console login from a new country or address, the first bucket it touches. *Event* detectors
read the events of a batch (or the lake, in a hunt) with the SQL in ``EVENT_SQL``: a call from a
Tor exit, an instance's role credentials used outside AWS, a burst of denied calls, an account
outside the organization at the organization's VPC endpoints. Every one yields, per finding,
its event, an optional variation and an explanation.
"""

from __future__ import annotations

from datetime import timedelta

from trailhound.analytics.framework import Analytic, Variation
from trailhound.analytics.profiles import DENIED_SQL, HUMAN_SQL, TOOL_SQL

_NON_HUMAN = Variation("non_human", "informational", "non-human identity")
_NONE = timedelta(0)  # event detectors need no baseline

ANALYTICS: tuple[Analytic, ...] = (
    Analytic(
        "tor_api_call",
        "API call from a Tor exit node",
        "high",
        "An API call came from an address the Tor exit list in force names, whatever the user "
        "agent says: the caller hides where it is, which an organization's own staff rarely do.",
        "Check the identity's other calls from the same address; rotate its credentials if the "
        "call succeeded; look for new keys, users or policies it created.",
        ("initial-access", "defense-evasion"),
        ("T1078.004", "T1090.003"),
        variations=(Variation("failed", "informational", "the call failed"),),
        training=_NONE,
        activation=_NONE,
    ),
    Analytic(
        "instance_credentials_outside_aws",
        "Instance role credentials used from outside AWS",
        "high",
        "Temporary credentials of an EC2 instance's role (session named after the instance) "
        "were used from a public address outside AWS's ranges: stolen from the instance "
        "metadata service and used elsewhere.",
        "Find how the credentials left the instance (SSRF, a shell); revoke the role's sessions "
        "(`aws:TokenIssueTime` condition); review what the outside address called.",
        ("credential-access",),
        ("T1552.005",),
        training=_NONE,
        activation=_NONE,
    ),
    Analytic(
        "denied_burst",
        "Burst of denied API calls",
        "medium",
        "An identity made many calls that were refused for want of permission within minutes: "
        "discovery by someone who does not know what the credentials may do.",
        "List the denied calls (services, regions); check whether the identity's credentials "
        "are used from a new address or user agent.",
        ("discovery",),
        ("T1580", "T1526"),
        window=timedelta(minutes=10),
        threshold=8,
        dedup=timedelta(hours=6),
        variations=(Variation("non_human", "low", "non-human identity"),),
        training=_NONE,
        activation=_NONE,
    ),
    Analytic(
        "vpce_external_account",
        "Account outside the organization used our VPC endpoint",
        "high",
        "A call through one of the organization's VPC endpoints carried the credentials of an "
        "account outside it (setting `org-accounts`; the lake's accounts when unset): data can "
        "leave through the endpoint to that account.",
        "Check the endpoint policy (restrict `aws:PrincipalOrgID`); find the caller's resources "
        "the call reached and the instance that made it.",
        ("exfiltration",),
        ("T1567", "T1537"),
        dedup=timedelta(days=7),
        training=_NONE,
        activation=_NONE,
    ),
    Analytic(
        "first_service",
        "Identity called a service for the first time",
        "low",
        "The identity called an AWS service its profile never saw it call.",
        "Check what the identity did in that service and whether its owner expected it.",
        ("discovery",),
        ("T1526",),
        variations=(_NON_HUMAN,),
        scope="actor",
        facet="service",
    ),
    Analytic(
        "first_api",
        "Identity called an API for the first time",
        "informational",
        "The identity called an API its profile never saw it call.",
        "Review the call's parameters; correlate with the identity's other first-time findings.",
        ("discovery",),
        (),
        scope="actor",
        facet="api",
    ),
    Analytic(
        "first_region",
        "Identity active in a region for the first time",
        "low",
        "The identity acted in a region its profile never saw it in.",
        "Check what was created in that region (instances, functions) and whether it is one the "
        "organization uses.",
        ("defense-evasion",),
        ("T1535",),
        variations=(_NON_HUMAN,),
        scope="actor",
        facet="region",
    ),
    Analytic(
        "account_first_region",
        "Account active in a new region",
        "medium",
        "An account saw activity in a region none of its identities had used.",
        "List the region's events; look for resources launched there (crypto-mining, hiding).",
        ("defense-evasion",),
        ("T1535",),
        scope="account",
        facet="region",
    ),
    Analytic(
        "first_country",
        "Identity called from a new country",
        "medium",
        "The identity's call came from a country its profile never saw it call from.",
        "Ask the identity's owner about travel; compare the user agent and the ASN with its "
        "usual ones.",
        ("initial-access",),
        ("T1078.004",),
        variations=(_NON_HUMAN,),
        scope="actor",
        facet="country",
    ),
    Analytic(
        "first_asn",
        "Identity called from a new network (ASN)",
        "low",
        "The identity's call came from an autonomous system its profile never saw.",
        "Check whether the network is a hosting provider or VPN; compare with its usual ones.",
        ("initial-access",),
        ("T1078.004",),
        variations=(_NON_HUMAN,),
        scope="actor",
        facet="asn",
    ),
    Analytic(
        "first_bucket",
        "Identity accessed an S3 bucket for the first time",
        "low",
        "The identity touched a bucket its profile never saw it touch.",
        "Check what was read or written in the bucket and whether it holds sensitive data.",
        ("collection",),
        ("T1530",),
        variations=(_NON_HUMAN,),
        scope="actor",
        facet="bucket",
    ),
    Analytic(
        "console_login_new_country",
        "Console login from a new country",
        "medium",
        "The identity signed in to the console from a country it never signed in from.",
        "Confirm with the user; check MFA on the login and what the session did next.",
        ("initial-access",),
        ("T1078.004",),
        scope="actor",
        facet="console_country",
    ),
    Analytic(
        "new_user_agent",
        "Identity used a new kind of client (user agent)",
        "low",
        "The identity's call came from a client family (the user agent's product token: "
        "aws-cli, Boto3, a browser, a tool) its profile never saw: stolen credentials are often "
        "used with another tool than their owner's.",
        "Compare the full user agent with the identity's usual ones; check the address and "
        "what the new client called.",
        ("defense-evasion",),
        ("T1078.004",),
        variations=(_NON_HUMAN,),
        scope="actor",
        facet="agent",
    ),
    Analytic(
        "attack_tool_user_agent",
        "Known attack tooling used by an unexpected identity",
        "high",
        "A call's user agent names offensive or audit tooling (Pacu, ScoutSuite, Stratus Red "
        "Team, CloudFox, Prowler) and the identity had not been running it for the training "
        "period: the security team's own scanner role learns it, an intruder's keys do not.",
        "Ask the security team whether this was theirs; if not, treat the credentials as "
        "stolen: list everything the identity did from that address and rotate them.",
        ("discovery", "execution"),
        ("T1580", "T1526", "T1059.009"),
        training=timedelta(days=7),
        activation=_NONE,
        dedup=timedelta(days=1),
    ),
    Analytic(
        "unusual_volume",
        "Unusual hourly volume for an identity",
        "medium",
        "The identity made far more calls in an hour than it usually does: the hour's count is "
        "above its median hourly count plus "
        "k robust deviations (median absolute deviation) over the training period's active "
        "hours. The data-event variation counts only data events (S3 objects, Lambda calls).",
        "List the hour's calls by API and resource; a data-event surge on a bucket is possible "
        "exfiltration, a management-event surge enumeration or automation gone wrong.",
        ("collection", "discovery"),
        ("T1530", "T1580"),
        training=timedelta(days=7),
        activation=timedelta(days=7),
        variations=(Variation("data_events", "high", "data events"),),
        scope="actor",
    ),
    Analytic(
        "endpoint_volume",
        "Unusual data-plane volume through a VPC endpoint",
        "medium",
        "More calls than usual passed through a VPC endpoint in an hour (median plus k robust "
        "deviations of its hourly history): possible exfiltration through the endpoint.",
        "Find the callers and resources behind the hour's calls; check the endpoint policy.",
        ("exfiltration",),
        ("T1567", "T1537"),
        training=timedelta(days=7),
        activation=timedelta(days=7),
        scope="vpce",
    ),
    Analytic(
        "impossible_travel",
        "Impossible travel between two console logins",
        "high",
        "Two successful console logins of the same identity came from countries farther apart "
        "than anyone can travel in the time between them: the distance between the countries' "
        "centroids, less 1,000 km for the countries' size, at over 900 km/h.",
        "Confirm with the user which login was theirs; end the other's sessions and reset the "
        "password and MFA.",
        ("initial-access",),
        ("T1078.004",),
        training=timedelta(days=7),  # its usual login countries are learned first
        activation=_NONE,
        dedup=timedelta(days=1),
    ),
    Analytic(
        "vpce_denied_burst",
        "Burst of VPC endpoint policy denials",
        "medium",
        "Many calls of one caller through the organization's VPC endpoints were refused by "
        "their policies (`VpceAccessDenied`) within minutes: someone probes what the endpoints "
        "let out.",
        "Find the instance and credentials behind the calls; compare with the endpoint policy.",
        ("exfiltration", "discovery"),
        ("T1567",),
        window=timedelta(minutes=10),
        threshold=5,
        dedup=timedelta(hours=6),
        training=_NONE,
        activation=_NONE,
    ),
    Analytic(
        "console_login_new_ip",
        "Console login from a new address",
        "informational",
        "The identity signed in to the console from an address it never signed in from.",
        "Check the address's country and network against the identity's usual ones.",
        ("initial-access",),
        ("T1078.004",),
        scope="actor",
        facet="console_ip",
    ),
)
BY_ID = {a.rule_id: a for a in ANALYTICS}


def _explain(*parts: str) -> str:
    return " || ".join(parts)


_WHO = "coalesce(actor, 'an unknown identity')"
_CALL = "event_name || ' (' || event_source || ')'"
# Event detectors: SQL over ``{relation}`` (the batch, or the lake's ``cloudtrail``) filtered by
# ``{where}``, giving variation, event, where and why. ``{org}`` is the bound list of the
# organization's accounts. The placeholders are filled with the caller's constants only.
_COLUMNS = "event_id, event_time, actor, account, aws_region, source_ip_address"
EVENT_SQL: dict[str, str] = {
    "tor_api_call": (
        "SELECT CASE WHEN error_code IS NULL THEN NULL ELSE 'failed' END AS variation, "
        f"{_COLUMNS}, NULL AS resource, "
        + _explain(
            _WHO,
            "' called '",
            _CALL,
            "' from the Tor exit ' || source_ip_address",
            "CASE WHEN error_code IS NULL THEN '' ELSE ', refused (' || error_code || ')' END",
            "'; user agent: ' || coalesce(left(user_agent, 120), 'none')",
        )
        + " AS explanation FROM {relation} WHERE ({where}) AND src_is_tor"
    ),
    "instance_credentials_outside_aws": (
        f"SELECT NULL AS variation, {_COLUMNS}, "
        "regexp_extract(user_principal_id, ':(i-[0-9a-fA-F]+)$', 1) AS resource, "
        + _explain(
            "'credentials of instance ' || regexp_extract(user_principal_id, "
            "':(i-[0-9a-fA-F]+)$', 1)",
            "' (role ' || coalesce(session_issuer_arn, '?') || ') called '",
            _CALL,
            "' from ' || source_ip_address",
            "' (' || coalesce(src_country, '?') || ', AS' || coalesce(CAST(src_asn AS VARCHAR), "
            "'?') || ' ' || coalesce(src_as_org, '') || '), outside AWS''s ranges'",
        )
        + " AS explanation FROM {relation} WHERE ({where}) AND user_type = 'AssumedRole' "
        "AND regexp_matches(user_principal_id, ':i-[0-9a-fA-F]{{8,17}}$') "
        "AND src_in_aws = false"
    ),
    "denied_burst": (
        "WITH denied AS (SELECT *, count(*) OVER (PARTITION BY actor ORDER BY event_time "
        "RANGE BETWEEN INTERVAL 10 MINUTE PRECEDING AND INTERVAL 10 MINUTE FOLLOWING) AS n, "
        f"count(DISTINCT event_name) OVER (PARTITION BY actor) AS apis, {HUMAN_SQL} AS human "
        f"FROM {{relation}} WHERE ({{where}}) AND actor IS NOT NULL AND {DENIED_SQL}) "
        "SELECT CASE WHEN human THEN NULL ELSE 'non_human' END AS variation, "
        f"{_COLUMNS}, NULL AS resource, "
        + _explain(
            "actor",
            "' had ' || n || ' calls denied within 10 minutes of this one ('",
            "apis || ' distinct APIs); this one: '",
            _CALL,
            "' in ' || aws_region || ': ' || error_code",
        )
        + " AS explanation FROM denied WHERE n >= {threshold}"
    ),
    "attack_tool_user_agent": (
        f"SELECT NULL AS variation, {_COLUMNS}, {TOOL_SQL} AS resource, "
        + _explain(
            _WHO,
            "' called '",
            _CALL,
            "' with ' || " + TOOL_SQL + " || ' (user agent: ' || left(user_agent, 120) || ')'",
            "' from ' || coalesce(source_ip_address, '?')",
            "CASE WHEN error_code IS NULL THEN '' ELSE ', refused (' || error_code || ')' END",
        )
        + " AS explanation FROM {relation} WHERE ({where}) AND "
        + TOOL_SQL
        + " IS NOT NULL"
    ),
    "vpce_denied_burst": (
        "WITH denied AS (SELECT *, count(*) OVER (PARTITION BY caller ORDER BY event_time "
        "RANGE BETWEEN INTERVAL 10 MINUTE PRECEDING AND INTERVAL 10 MINUTE FOLLOWING) AS n, "
        "count(DISTINCT vpc_endpoint_id) OVER (PARTITION BY caller) AS endpoints FROM ("
        "SELECT *, coalesce(actor, user_account_id) AS caller FROM {relation} WHERE ({where}) "
        "AND vpc_endpoint_id IS NOT NULL AND error_code = 'VpceAccessDenied') "
        "WHERE caller IS NOT NULL) "
        f"SELECT NULL AS variation, {_COLUMNS}, vpc_endpoint_id AS resource, "
        + _explain(
            "caller || ' of account ' || coalesce(user_account_id, '?') || ' had ' || n || "
            "' calls refused by VPC endpoint policies within 10 minutes of this one (' || "
            "endpoints || ' endpoint' || CASE WHEN endpoints = 1 THEN '' ELSE 's' END || "
            "'); this one: '",
            _CALL,
            "' through ' || vpc_endpoint_id",
        )
        + " AS explanation FROM denied WHERE n >= {threshold}"
    ),
    "vpce_external_account": (
        f"SELECT NULL AS variation, {_COLUMNS}, vpc_endpoint_id AS resource, "
        + _explain(
            "'account ' || user_account_id || ' (' || " + _WHO + " || ') called '",
            _CALL,
            "' through VPC endpoint ' || vpc_endpoint_id",
            "' of account ' || coalesce(vpc_endpoint_account_id, recipient_account_id)",
            "CASE WHEN error_code IS NULL THEN '' ELSE ', refused (' || error_code || ')' END",
            "'; the organization''s accounts are ' || array_to_string({org}, ', ')",
        )
        + " AS explanation FROM {relation} WHERE ({where}) AND vpc_endpoint_id IS NOT NULL "
        "AND user_account_id IS NOT NULL AND NOT list_contains({org}, user_account_id) "
        "AND list_contains({org}, coalesce(vpc_endpoint_account_id, recipient_account_id))"
    ),
}
