"""The demo organization: accounts, regions, resource names, and the types that describe callers."""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

ORG_ID = "o-7k2m9x4q1z"
IDENTITY_STORE_ARN = "arn:aws:identitystore::401283756120:identitystore/d-9067a1b2c3"
EMAIL_DOMAIN = "acme.example"
LOG_BUCKET = "acme-org-cloudtrail-401283756120"
HOME_REGION = "us-east-1"  # where global services (IAM, Organizations, sign-in) log
SECURITY_ACCOUNT = "734156829953"
ORG_TRAIL_ACCOUNT = "401283756120"  # its logs are written under AWSLogs/<org id>/<account>/
FOREIGN_ACCOUNT = "958371046625"  # belongs to no one in the demo

# (account id, alias, share of the traffic, regions with their share of the account's traffic)
ACCOUNTS: tuple[tuple[str, str, float, tuple[tuple[str, float], ...]], ...] = (
    ("401283756120", "management", 0.10, (("us-east-1", 0.85), ("us-west-2", 0.15))),
    (
        "512934607731",
        "production",
        0.45,
        (("us-east-1", 0.55), ("eu-west-1", 0.3), ("us-west-2", 0.15)),
    ),
    (
        "623045718842",
        "development",
        0.30,
        (("us-east-1", 0.5), ("eu-west-1", 0.35), ("eu-central-1", 0.15)),
    ),
    (SECURITY_ACCOUNT, "security", 0.15, (("us-east-1", 0.70), ("eu-west-1", 0.30))),
)
PEOPLE = (
    "maria.garcia",
    "james.chen",
    "priya.patel",
    "lukas.schmidt",
    "sofia.rossi",
    "david.okafor",
    "emma.johansson",
    "hiroshi.tanaka",
    "fatima.alsayed",
    "noah.williams",
    "chloe.martin",
    "mateo.fernandez",
)
LAMBDAS = ("orders-api", "invoice-renderer", "image-resizer", "nightly-export", "webhook-relay")
SECRETS = ("prod/orders/db", "prod/payments/stripe-key", "shared/datadog-api-key", "app/jwt")
PARAMETERS = ("/app/feature-flags", "/app/orders/queue-url", "/platform/ami/latest", "/app/db/host")
BUCKETS = ("app-data", "exports", "artifacts", "static-assets")
_KEY_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"


@dataclass(frozen=True, eq=False, slots=True)
class Principal:
    """A caller: the userIdentity it presents, where it calls from and how it behaves."""

    name: str
    role: str  # key into the activity catalogue
    account: str
    identity: dict[str, Any]  # without the session parts (accessKeyId, sessionContext)
    ips: tuple[str, ...]
    agents: tuple[str, ...]
    weight: float = 1.0  # its share of the calls at a site
    issuer: dict[str, Any] | None = None  # sessionIssuer when it holds temporary credentials
    mfa: bool = False
    console: bool = False
    assumes: tuple[Principal, ...] = ()  # role sessions it opens with sts:AssumeRole
    # A person's home address: they work from home, and one week in four from ``ips`` (the
    # offices), the same place all day whatever account they work in (``Ctx.place``).
    home: str | None = None

    @property
    def arn(self) -> str:
        """The caller's ARN, or its account for identities that have none."""
        return str(self.identity.get("arn") or self.identity.get("accountId", ""))


@dataclass(frozen=True, eq=False, slots=True)
class Site:
    """One account in one region: a stream of log files and the resources that live there."""

    account: str
    alias: str
    region: str
    weight: float
    callers: tuple[Principal, ...]
    buckets: tuple[str, ...]
    functions: tuple[str, ...]
    instances: tuple[str, ...]
    kms_keys: tuple[str, ...]
    security_groups: tuple[str, ...]
    subnets: tuple[str, ...]
    vpc_endpoints: dict[str, str]  # service prefix -> vpce id


@dataclass(frozen=True, eq=False, slots=True)
class Population:
    """Every site of the demo organization and its named principals."""

    sites: tuple[Site, ...]
    principals: dict[str, Principal]  # "<alias>/<name>" and "<alias>/<region>/<name>"

    def site(self, alias: str, region: str) -> Site:
        """The site of ``alias`` in ``region``."""
        return next(s for s in self.sites if s.alias == alias and s.region == region)

    def principal(self, alias: str, name: str) -> Principal:
        """The principal called ``name`` in the account ``alias``."""
        return self.principals[f"{alias}/{name}"]


def access_key(rng: random.Random, prefix: str, length: int = 16) -> str:
    """An AWS-style identifier: a four-letter prefix and base32 characters."""
    return prefix + "".join(rng.choices(_KEY_ALPHABET, k=length))


def hex_id(rng: random.Random, prefix: str) -> str:
    """An EC2-style resource id such as ``i-0abc…`` (17 hex digits)."""
    return f"{prefix}-0{rng.getrandbits(64):016x}"


def key_uuid(rng: random.Random) -> str:
    """A UUID-shaped id (KMS keys, Identity Center users) drawn from ``rng``."""
    h = f"{rng.getrandbits(128):032x}"
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-a{h[17:20]}-{h[20:]}"


def iam_user(rng: random.Random, account: str, name: str) -> dict[str, Any]:
    """The userIdentity of the IAM user ``name``, with a long-term access key."""
    return {
        "type": "IAMUser",
        "principalId": access_key(rng, "AIDA", 17),
        "arn": f"arn:aws:iam::{account}:user/{name}",
        "accountId": account,
        "accessKeyId": access_key(rng, "AKIA"),
        "userName": name,
    }


def iam_role(rng: random.Random, account: str, name: str, path: str = "/") -> dict[str, Any]:
    """The sessionIssuer of the role ``name``."""
    return {
        "type": "Role",
        "principalId": access_key(rng, "AROA", 17),
        "arn": f"arn:aws:iam::{account}:role{path}{name}",
        "accountId": account,
        "userName": name,
    }


def role_session(role: dict[str, Any], session: str) -> dict[str, Any]:
    """The userIdentity of a session of ``role`` (without key and sessionContext)."""
    account = role["accountId"]
    return {
        "type": "AssumedRole",
        "principalId": f"{role['principalId']}:{session}",
        "arn": f"arn:aws:sts::{account}:assumed-role/{role['userName']}/{session}",
        "accountId": account,
    }


def role_caller(
    rng: random.Random, account: str, role_name: str, session: str, name: str, kind: str, **kw: Any
) -> Principal:
    """The principal ``name`` working through a session of the role ``role_name``."""
    role = iam_role(rng, account, role_name, kw.pop("path", "/"))
    return Principal(name, kind, account, role_session(role, session), issuer=role, **kw)
