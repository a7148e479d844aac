"""What an alert is about: the principal behind an event, its session, and a rule's grouping key.

An alert groups the matches of one rule that share a grouping key (``RuleInfo.group_by``). The
default key is the **principal** in its account: the identity, not the session, so that the
hundred sessions of one role are one alert, not a hundred. For an assumed role the principal is
the role that issued the session (``sessionContext.sessionIssuer.arn``); for an IAM user its ARN;
for root the account's root ARN; for anything else the event's ``actor``. The session name stays
visible on each match (``session``) and on the alert (its distinct ``sessions``).

The key fields a match carries (``MATCH_FIELDS``) are grouped by the alert store. A rule may also
group by event fields (``group_by: [principal, requestParameters.bucketName]``): the rule engine
then computes the whole key in its scan (``group_expression``) and hands it over as
``Match.group``. Every expression here is a dialect-neutral sqlglot node, rendered for whichever
backend runs the rules.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from sqlglot import exp

from trailhound.query.scope import json_extract

# Fields every match carries, grouped by the alert store itself.
MATCH_FIELDS = ("principal", "actor", "session", "account", "region", "source_ip", "resource")
KEY_SEPARATOR = "\x1f"  # between the values of a grouping key
# The SQL of each of a match ``m``'s fields, as a grouping key reads it.
FIELD_SQL = {
    "principal": "coalesce(m.principal, m.actor, '')",
    "actor": "coalesce(m.actor, '')",
    "session": "coalesce(m.session, '')",
    "account": "coalesce(m.account, '')",
    "region": "coalesce(m.region, '')",
    "source_ip": "coalesce(m.source_ip, '')",
    "resource": "coalesce(m.resource, '')",
}
assert tuple(FIELD_SQL) == MATCH_FIELDS


def key_sql() -> str:
    """The SQL of the grouping key of a match ``m`` of a rule ``r`` (whose boolean columns
    ``g_<field>`` say which fields it groups by): the detector's own key, else its fields."""
    parts = ", ".join(f"CASE WHEN r.g_{n} THEN {sql} END" for n, sql in FIELD_SQL.items())
    return f"coalesce(m.\"group\", concat_ws('{KEY_SEPARATOR}', {parts}))"


# Where the "main resource" of an event usually is, when the rule names none.
_RESOURCE_KEYS = (
    "bucketName",
    "userName",
    "roleName",
    "policyArn",
    "groupName",
    "name",
    "trailName",
    "detectorId",
    "keyId",
    "secretId",
    "functionName",
    "instanceId",
    "groupId",
    "snapshotId",
    "imageId",
    "dBSnapshotIdentifier",
    "dBInstanceIdentifier",
    "flowLogIds",
    "accessKeyId",
)


def default_resource() -> exp.Expression:
    """The first of the usual resource parameters of a request, else the first resource ARN."""
    terms: list[exp.Expression] = [
        json_extract(exp.column("request_parameters"), f"$.{k}") for k in _RESOURCE_KEYS
    ]
    terms.append(json_extract(exp.column("resources"), "$[0].ARN"))
    return exp.Coalesce(this=terms[0], expressions=terms[1:])


def _is_assumed_role() -> exp.Expression:
    return exp.EQ(this=exp.column("user_type"), expression=exp.Literal.string("AssumedRole"))


def principal_expression() -> exp.Expression:
    """The identity behind an event: an assumed role's issuing role, else the ``actor``.

    The ``actor`` is already the user's ARN for an IAM user, the account's root ARN for root,
    the service for an AWS service: only an assumed role's session is folded into its role.
    """
    issuer = exp.column("session_issuer_arn")
    return exp.Case(
        ifs=[
            exp.If(
                this=exp.and_(_is_assumed_role(), issuer.is_(exp.null()).not_()),
                true=issuer.copy(),
            )
        ],
        default=exp.column("actor"),
    )


def session_expression() -> exp.Expression:
    """An assumed role's session name (the last part of its ARN), else NULL."""
    name = exp.RegexpExtract(
        this=exp.column("user_arn"),
        expression=exp.Literal.string("[^/]+$"),
        group=exp.Literal.number(0),
    )
    return exp.Case(ifs=[exp.If(this=_is_assumed_role(), true=name)])


def needs_scan(group_by: Sequence[str]) -> bool:
    """Whether a grouping names event fields, which only the rule engine's scan can read."""
    return any(name not in MATCH_FIELDS for name in group_by)


def group_expression(
    group_by: Sequence[str],
    resource: exp.Expression | None,
    resolve: Callable[[str], exp.Expression],
) -> exp.Expression:
    """The grouping key of one event as text: each field's value (empty when absent), joined.

    ``resource`` is the rule's own resource expression (the usual parameters when None) and
    ``resolve`` turns any other name into the expression of that event field.
    """
    columns: dict[str, Callable[[], exp.Expression]] = {
        "principal": principal_expression,
        "actor": lambda: exp.column("actor"),
        "session": session_expression,
        "account": lambda: exp.column("account"),
        "region": lambda: exp.column("aws_region"),
        "source_ip": lambda: exp.column("source_ip_address"),
    }
    parts: list[exp.Expression] = []
    for name in group_by:
        if name == "resource":
            value = default_resource()
            if resource is not None:
                value = exp.Coalesce(this=resource.copy(), expressions=[value])
        else:
            value = columns[name]() if name in columns else resolve(name)
        parts.append(
            exp.Coalesce(this=exp.cast(value, "TEXT"), expressions=[exp.Literal.string("")])
        )
    separator = exp.Literal.string(KEY_SEPARATOR)
    return exp.ConcatWs(expressions=[separator, *parts])
