"""Attack stories: short sequences of records on a fixed timeline, each with a recognizable actor.

Most of them are one intrusion told in steps. The reporting service user's access key leaks; the
intruder tries it from Tor (``tor-access``), gives himself a key and a console password for the CI
user (``keys-for-another-user``), opens an export bucket to the world (``public-bucket``) and stops
and deletes the production trail (``trail-stopped``). Apart from that, someone signs in as the
management account's root without MFA (``console-no-mfa``) and a principal of an unknown account
is refused at a production VPC endpoint (``vpce-foreign-account``).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from trailhound_demo.access import expiration
from trailhound_demo.clients import (
    INTRUDER_ADDRESS,
    INTRUDER_AGENT,
    ROOT_INTRUDER_ADDRESS,
    TOR_EXIT_ADDRESSES,
)
from trailhound_demo.events import Ctx, api_call, console_login, vpce_call
from trailhound_demo.organization import (
    FOREIGN_ACCOUNT,
    HOME_REGION,
    Population,
    Principal,
    access_key,
)

PRODUCTION_TRAIL = "arn:aws:cloudtrail:us-east-1:512934607731:trail/acme-production-audit"
EXPOSED_BUCKET = "acme-production-exports-us-east-1"
VPCE_DENIED = ("VpceAccessDenied", "The request was denied due to a VPC endpoint policy")

DAY = 86400
HOUR = 3600


@dataclass(frozen=True, slots=True)
class StoryRecord:
    """A record of a story and the site whose log file it belongs in."""

    alias: str
    region: str
    sec: int
    record: dict[str, Any]


class _Teller:
    """Writes a story's records with one seeded random source, site by site."""

    def __init__(
        self, population: Population, rng: random.Random, seed: int, shift: int = 0
    ) -> None:
        self.population = population
        self.rng = rng
        self.seed = seed
        self.shift = shift  # seconds every story moves by (``story_shift``)
        self.records: list[StoryRecord] = []

    def ctx(self, alias: str, region: str, sec: int) -> Ctx:
        """A context at the site ``alias``/``region``, ``sec`` seconds after the epoch."""
        ctx = Ctx(self.rng, self.seed, self.population.site(alias, region))
        ctx.at(sec)
        return ctx

    def add(self, ctx: Ctx, record: dict[str, Any]) -> None:
        """Add ``record``, filed under ``ctx``'s site and time."""
        self.records.append(StoryRecord(ctx.site.alias, ctx.site.region, ctx.sec, record))


def _tor_access(t: _Teller) -> None:
    leaked = replace(
        t.population.principal("production", "svc-reporting"),
        ips=TOR_EXIT_ADDRESSES,
        agents=(INTRUDER_AGENT,),
    )
    start = t.shift + 3 * DAY + 21 * HOUR + 8 * 60 + 13
    steps = [
        (0, HOME_REGION, "sts.amazonaws.com", "GetCallerIdentity", None),
        (41, HOME_REGION, "s3.amazonaws.com", "ListBuckets", None),
        (95, HOME_REGION, "ec2.amazonaws.com", "DescribeInstances", None),
        (101, "eu-west-1", "ec2.amazonaws.com", "DescribeInstances", "deny"),
        (108, "us-west-2", "ec2.amazonaws.com", "DescribeInstances", "deny"),
        (170, HOME_REGION, "iam.amazonaws.com", "ListUsers", None),
    ]
    for offset, region, source, name, outcome in steps:
        ctx = t.ctx("production", region, start + offset)
        error = ctx.denial(leaked, source, name, "") if outcome else None
        params: dict[str, Any] | None = None
        if name == "DescribeInstances":
            params = {"instancesSet": {}, "filterSet": {}}
        t.add(
            ctx,
            api_call(
                ctx,
                leaked,
                source,
                name,
                read_only=True,
                params=params,
                error=error,
                can_fail=False,
            ),
        )


def _stolen_ci_identity(t: _Teller) -> tuple[dict[str, Any], str]:
    ci = t.population.principal("production", "ci-deployer")
    new_key = access_key(random.Random(f"{t.seed}/stolen-key"), "AKIA")
    return {**ci.identity, "accessKeyId": new_key}, new_key


def _keys_for_another_user(t: _Teller) -> None:
    leaked = replace(
        t.population.principal("production", "svc-reporting"),
        ips=(INTRUDER_ADDRESS,),
        agents=(INTRUDER_AGENT,),
    )
    start = t.shift + 3 * DAY + 21 * HOUR + 31 * 60 + 2
    _, new_key = _stolen_ci_identity(t)
    iam = "iam.amazonaws.com"
    ctx = t.ctx("production", HOME_REGION, start)
    t.add(
        ctx,
        api_call(
            ctx,
            leaked,
            iam,
            "ListAccessKeys",
            read_only=True,
            params={"userName": "ci-deployer"},
            can_fail=False,
        ),
    )
    ctx.at(start + 12)
    key = {
        "userName": "ci-deployer",
        "accessKeyId": new_key,
        "status": "Active",
        "createDate": expiration(start + 12),
    }
    t.add(
        ctx,
        api_call(
            ctx,
            leaked,
            iam,
            "CreateAccessKey",
            read_only=False,
            params={"userName": "ci-deployer"},
            response={"accessKey": key},
            can_fail=False,
        ),
    )
    ctx.at(start + 40)
    profile = {
        "userName": "ci-deployer",
        "createDate": expiration(start + 40),
        "passwordResetRequired": False,
    }
    t.add(
        ctx,
        api_call(
            ctx,
            leaked,
            iam,
            "CreateLoginProfile",
            read_only=False,
            params={"userName": "ci-deployer", "passwordResetRequired": False},
            response={"loginProfile": profile},
            can_fail=False,
        ),
    )


def _intruder_as_ci(t: _Teller) -> Principal:
    identity, _ = _stolen_ci_identity(t)
    return replace(
        t.population.principal("production", "ci-deployer"),
        identity=identity,
        ips=(INTRUDER_ADDRESS,),
        agents=(INTRUDER_AGENT,),
    )


def _public_bucket(t: _Teller) -> None:
    intruder = _intruder_as_ci(t)
    start = t.shift + 4 * DAY + 3 * HOUR + 2 * 60 + 51
    host = f"{EXPOSED_BUCKET}.s3.amazonaws.com"
    everyone = "http://acs.amazonaws.com/groups/global/AllUsers"
    acl = {
        "AccessControlPolicy": {
            "AccessControlList": {
                "Grant": [
                    {
                        "Grantee": {"xsi:type": "CanonicalUser", "ID": "7f1d" * 16},
                        "Permission": "FULL_CONTROL",
                    },
                    {"Grantee": {"xsi:type": "Group", "URI": everyone}, "Permission": "READ"},
                ]
            },
            "xmlns": "http://s3.amazonaws.com/doc/2006-03-01/",
            "Owner": {"ID": "7f1d" * 16},
        }
    }
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "PublicRead",
                "Effect": "Allow",
                "Principal": "*",
                "Action": "s3:GetObject",
                "Resource": f"arn:aws:s3:::{EXPOSED_BUCKET}/*",
            }
        ],
    }
    steps: list[tuple[int, str, dict[str, Any]]] = [
        (0, "DeleteBucketPublicAccessBlock", {"publicAccessBlock": ""}),
        (19, "PutBucketAcl", {"acl": "", **acl}),
        (44, "PutBucketPolicy", {"policy": "", "bucketPolicy": policy}),
    ]
    for offset, name, params in steps:
        ctx = t.ctx("production", HOME_REGION, start + offset)
        full = {"bucketName": EXPOSED_BUCKET, "Host": host, **params}
        t.add(
            ctx,
            api_call(
                ctx,
                intruder,
                "s3.amazonaws.com",
                name,
                read_only=False,
                params=full,
                can_fail=False,
                resources=[
                    {
                        "accountId": ctx.account,
                        "type": "AWS::S3::Bucket",
                        "ARN": f"arn:aws:s3:::{EXPOSED_BUCKET}",
                    }
                ],
            ),
        )


def _trail_stopped(t: _Teller) -> None:
    intruder = _intruder_as_ci(t)
    start = t.shift + 4 * DAY + 3 * HOUR + 20 * 60 + 7
    steps: list[tuple[int, str, bool, dict[str, Any]]] = [
        (0, "DescribeTrails", True, {"trailNameList": [], "includeShadowTrails": True}),
        (9, "GetTrailStatus", True, {"name": PRODUCTION_TRAIL}),
        (31, "StopLogging", False, {"name": PRODUCTION_TRAIL}),
        (58, "DeleteTrail", False, {"name": PRODUCTION_TRAIL}),
    ]
    for offset, name, read_only, params in steps:
        ctx = t.ctx("production", HOME_REGION, start + offset)
        t.add(
            ctx,
            api_call(
                ctx,
                intruder,
                "cloudtrail.amazonaws.com",
                name,
                read_only=read_only,
                params=params,
                can_fail=False,
                resources=None
                if read_only
                else [
                    {
                        "accountId": ctx.account,
                        "type": "AWS::CloudTrail::Trail",
                        "ARN": PRODUCTION_TRAIL,
                    }
                ],
            ),
        )


def _console_no_mfa(t: _Teller) -> None:
    root = replace(
        t.population.principal("management", "root"), ips=(ROOT_INTRUDER_ADDRESS,), mfa=False
    )
    start = t.shift + 2 * DAY + 2 * HOUR + 17 * 60 + 44
    ctx = t.ctx("management", HOME_REGION, start)
    t.add(ctx, console_login(ctx, root, success=True, mfa=False))
    # the console session starts with the sign-in, not on the hour as background sessions do
    session = {
        **root.identity,
        "accessKeyId": access_key(t.rng, "ASIA"),
        "sessionContext": {
            "sessionIssuer": {},
            "attributes": {"creationDate": ctx.when, "mfaAuthenticated": "false"},
        },
    }
    signed_in = replace(root, identity=session, issuer=None)
    for offset, name in ((35, "GetAccountSummary"), (52, "ListUsers"), (80, "ListAccessKeys")):
        ctx.at(start + offset)
        t.add(
            ctx,
            api_call(ctx, signed_in, "iam.amazonaws.com", name, read_only=True, can_fail=False),
        )


def _vpce_foreign_account(t: _Teller) -> None:
    start = t.shift + 1 * DAY + 14 * HOUR + 20 * 60 + 5
    identity = {
        "type": "AWSAccount",
        "principalId": access_key(t.rng, "AIDA", 17),
        "accountId": FOREIGN_ACCOUNT,
    }
    steps = [
        (0, "s3", "ListBuckets"),
        (7, "s3", "PutObject"),
        (8, "s3", "PutObject"),
        (15, "kms", "ListKeys"),
        (22, "secretsmanager", "ListSecrets"),
    ]
    for offset, service, name in steps:
        ctx = t.ctx("production", HOME_REGION, start + offset)
        t.add(ctx, vpce_call(ctx, identity, service, name, "10.20.14.87", error=VPCE_DENIED))


STORIES: tuple[tuple[str, Callable[[_Teller], None]], ...] = (
    ("trail-stopped", _trail_stopped),
    ("keys-for-another-user", _keys_for_another_user),
    ("tor-access", _tor_access),
    ("vpce-foreign-account", _vpce_foreign_account),
    ("console-no-mfa", _console_no_mfa),
    ("public-bucket", _public_bucket),
)


def story_shift(days: int) -> int:
    """Seconds the stories move by in a ``days`` long span: none in the week-long demo; in a
    longer one they keep their timeline but end on its last day (the trail is deleted on the
    last day but one of a week), after the benign history."""
    return max(0, days - 5) * DAY if days > 7 else 0


def labelled_stories(
    population: Population, seed: int, budget: int, days: int = 7
) -> dict[str, list[StoryRecord]]:
    """The records of each story that fits in ``budget`` events, by story name: the labels a
    detection-quality benchmark scores against."""
    rng = random.Random(f"{seed}/stories")
    told: dict[str, list[StoryRecord]] = {}
    total = 0
    for name, tell in STORIES:
        teller = _Teller(population, rng, seed, story_shift(days))
        tell(teller)
        if total + len(teller.records) > budget:
            continue
        told[name] = teller.records
        total += len(teller.records)
    return told


def tell_stories(
    population: Population, seed: int, budget: int, days: int = 7
) -> tuple[tuple[str, ...], list[StoryRecord]]:
    """The stories whose records fit in ``budget`` events, and those records in time order."""
    told = labelled_stories(population, seed, budget, days)
    records = sorted((r for story in told.values() for r in story), key=lambda r: r.sec)
    return tuple(told), records
