"""Record templates: the fields every CloudTrail record shares, filled in for one caller."""

from __future__ import annotations

import functools
import random
import zlib
from base64 import b32encode
from datetime import UTC, datetime, timedelta
from hashlib import blake2b
from typing import Any

from trailhound_demo.organization import HOME_REGION, Principal, Site

EPOCH = datetime(2026, 11, 1, tzinfo=UTC)
SPAN_DAYS = 7  # the demo's default span; ``generate_demo(days=…)`` takes up to MAX_DAYS
SPAN_SECONDS = SPAN_DAYS * 86400
MAX_DAYS = 56
# day -1 is the last day of October: sessions may start before the data set does
_DAYS = tuple((EPOCH + timedelta(days=d)).strftime("%Y-%m-%d") for d in range(-1, MAX_DAYS + 8))
_CLOCK: list[str] = []  # "THH:MM:SSZ" for every second of a day, built on first use
_VARIANT = "89ab" * 4

# eventVersion differs by service in real trails; these follow what AWS logs at the time
_VERSIONS = {
    "signin": "1.08",
    "iam": "1.08",
    "sts": "1.08",
    "kms": "1.08",
    "lambda": "1.08",
    "ssm": "1.08",
    "rds": "1.08",
    "logs": "1.08",
    "ec2": "1.10",
    "s3": "1.10",
    "cloudtrail": "1.09",
    "sso": "1.09",
    "monitoring": "1.09",
    "guardduty": "1.11",
    "secretsmanager": "1.11",
    "organizations": "1.11",
}
_GLOBAL_HOSTS = {
    "iam": "iam.amazonaws.com",
    "organizations": "organizations.us-east-1.amazonaws.com",
    "ce": "ce.us-east-1.amazonaws.com",
}
_ACTION_PREFIX = {"monitoring": "cloudwatch", "tagging": "tag"}
_EXCEPTION_STYLE = {"kms", "lambda", "ssm", "guardduty", "organizations", "logs", "ce", "sso"}
_TLS: dict[tuple[str, bool], dict[str, str]] = {}
_ENDPOINTS: dict[tuple[str, str], tuple[str, str, str]] = {}


def iso(sec: int) -> str:
    """``sec`` seconds after the demo epoch (at most a day before it) as CloudTrail writes times."""
    if not _CLOCK:
        _CLOCK.extend(f"T{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}Z" for s in range(86400))
    day, rest = divmod(sec, 86400)
    return _DAYS[day + 1] + _CLOCK[rest]


def uuid4(rng: random.Random) -> str:
    """A version-4 UUID drawn from ``rng``, so that a seed always yields the same ids."""
    h = rng.randbytes(16).hex()
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{_VARIANT[ord(h[16]) & 15]}{h[17:20]}-{h[20:]}"


@functools.cache
def stable_suffix(text: str, length: int = 6) -> str:
    """A short alphanumeric suffix derived from ``text`` (as AWS appends to secret ARNs)."""
    n = zlib.crc32(text.encode())
    alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
    out = []
    for _ in range(length):
        n, r = divmod(n, len(alphabet))
        out.append(alphabet[r])
    return "".join(out)


def tls_details(host: str, modern: bool = True) -> dict[str, str]:
    """The ``tlsDetails`` of a request to ``host``; shared objects, never mutated."""
    tls = _TLS.get((host, modern))
    if tls is None:
        tls = {
            "tlsVersion": "TLSv1.3" if modern else "TLSv1.2",
            "cipherSuite": "TLS_AES_128_GCM_SHA256" if modern else "ECDHE-RSA-AES128-GCM-SHA256",
            "clientProvidedHostHeader": host,
        }
        _TLS[(host, modern)] = tls
    return tls


class Ctx:
    """What a template needs for one record: the site, the time and the seeded random source."""

    __slots__ = ("_sessions", "fail_rate", "rng", "sec", "seed", "site", "when")

    def __init__(
        self,
        rng: random.Random,
        seed: int,
        site: Site,
        sessions: dict[tuple[Principal, int], dict[str, Any]] | None = None,
    ) -> None:
        self.rng = rng
        self.seed = seed
        self.site = site
        self.sec = 0
        self.when = iso(0)
        self.fail_rate = 0.0
        # sessions derive from the seed, not from rng, so a cache shared between files is safe
        self._sessions = {} if sessions is None else sessions

    def at(self, sec: int) -> None:
        """Move the clock to ``sec`` seconds after the epoch."""
        self.sec = sec
        self.when = iso(sec)

    @property
    def region(self) -> str:
        """The region of the site being written."""
        return self.site.region

    @property
    def account(self) -> str:
        """The account of the site being written."""
        return self.site.account

    def uuid(self) -> str:
        """A fresh UUID from the seeded source."""
        return uuid4(self.rng)

    def pick(self, options: tuple[str, ...]) -> str:
        """One of ``options``."""
        return options[int(self.rng.random() * len(options))]

    def place(self, p: Principal) -> str:
        """Where the person ``p`` works today: ``home``; ``office`` on the weekdays of one week
        in four (a different week for each person); ``travelling`` on the Sunday before and the
        Saturday after it (no calls: a journey takes a day). ``home`` for anyone without one."""
        if p.home is None:
            return "home"
        week, weekday = divmod(self.sec // 86400, 7)  # the epoch is a Sunday
        if (week + zlib.crc32(f"{self.seed}|{p.name}".encode())) % 4:
            return "home"
        return "travelling" if weekday in (0, 6) else "office"

    def address(self, p: Principal) -> str:
        """Where ``p`` calls from now: one of its addresses (its offices), or for a person
        with a home, that home on the days they work from it."""
        draw = self.rng.random()
        if p.home is not None and self.place(p) != "office":
            return p.home
        return p.ips[int(draw * len(p.ips))]

    def below(self, n: int) -> int:
        """A whole number from 0 to ``n - 1``; cheaper than ``randrange``."""
        return int(self.rng.random() * n)

    def identity(self, p: Principal) -> dict[str, Any]:
        """``p``'s userIdentity now: sessions get a key and creation time that change hourly."""
        if p.issuer is None:
            return p.identity
        hour = self.sec // 3600
        cached = self._sessions.get((p, hour))
        if cached is not None:
            return cached
        text = f"{self.seed}|{p.account}|{p.name}|{hour}".encode()
        digest = blake2b(text, digest_size=15).digest()
        created = hour * 3600 - (digest[14] % 50) * 60 - digest[13] % 60
        identity = {
            **p.identity,
            "accessKeyId": "ASIA" + b32encode(digest[:10]).decode(),
            "sessionContext": {
                "sessionIssuer": p.issuer,
                "webIdFederationData": {},
                "attributes": {
                    "creationDate": iso(created),
                    "mfaAuthenticated": "true" if p.mfa else "false",
                },
            },
        }
        if not p.issuer:  # IAM user or root signed in to the console
            del identity["sessionContext"]["webIdFederationData"]
        if p.role == "ec2":  # instance profile credentials say which IMDS version served them
            identity["sessionContext"]["ec2RoleDelivery"] = "2.0"
        self._sessions[(p, hour)] = identity
        return identity

    def denial(self, p: Principal, source: str, name: str, resource: str) -> tuple[str, str]:
        """The errorCode and errorMessage ``source`` returns when ``p`` may not call ``name``."""
        prefix = source.split(".", 1)[0]
        action = f"{_ACTION_PREFIX.get(prefix, prefix)}:{name}"
        because = f"because no identity-based policy allows the {action} action"
        if prefix == "ec2":
            return (
                "Client.UnauthorizedOperation",
                f"You are not authorized to perform this operation. User: {p.arn} is not "
                f"authorized to perform: {action} {because}",
            )
        if prefix == "s3":
            return "AccessDenied", "Access Denied"
        code = "AccessDeniedException" if prefix in _EXCEPTION_STYLE else "AccessDenied"
        target = f" on resource: {resource}" if resource else ""
        return code, f"User: {p.arn} is not authorized to perform: {action}{target} {because}"


def _endpoint(source: str, region: str) -> tuple[str, str, str]:
    """The service prefix, eventVersion and host name of calls to ``source`` in ``region``."""
    prefix = source.split(".", 1)[0]
    host = _GLOBAL_HOSTS.get(prefix) or f"{prefix}.{region}.amazonaws.com"
    return prefix, _VERSIONS.get(prefix, "1.09"), host


def api_call(
    ctx: Ctx,
    p: Principal,
    source: str,
    name: str,
    *,
    read_only: bool,
    params: dict[str, Any] | None = None,
    response: dict[str, Any] | None = None,
    extra: dict[str, Any] | None = None,
    resources: list[dict[str, str]] | None = None,
    error: tuple[str, str] | None = None,
    data: bool = False,
    region: str | None = None,
    resource: str = "",
    can_fail: bool = True,
) -> dict[str, Any]:
    """A complete ``AwsApiCall`` record in CloudTrail's field order."""
    region = region or ctx.site.region
    endpoint = _ENDPOINTS.get((source, region))
    if endpoint is None:
        endpoint = _ENDPOINTS[(source, region)] = _endpoint(source, region)
    prefix, version, host = endpoint
    # a share (ctx.fail_rate) of the calls that can fail are refused instead
    if error is None and can_fail and ctx.fail_rate and ctx.rng.random() < ctx.fail_rate:
        error = ctx.denial(p, source, name, resource)
    record: dict[str, Any] = {
        "eventVersion": version,
        "userIdentity": ctx.identity(p),
        "eventTime": ctx.when,
        "eventSource": source,
        "eventName": name,
        "awsRegion": region,
        "sourceIPAddress": ctx.address(p),
        "userAgent": ctx.pick(p.agents),
    }
    if error is not None:
        record["errorCode"], record["errorMessage"] = error
        response = None
    record["requestParameters"] = params
    record["responseElements"] = response
    if extra is not None:
        record["additionalEventData"] = extra
    if prefix == "s3":
        record["requestID"] = f"{ctx.rng.getrandbits(64):016X}"
    else:
        record["requestID"] = ctx.uuid()
    record["eventID"] = ctx.uuid()
    record["readOnly"] = read_only
    if resources is not None:
        record["resources"] = resources
    record["eventType"] = "AwsApiCall"
    record["managementEvent"] = not data
    record["recipientAccountId"] = ctx.site.account
    record["eventCategory"] = "Data" if data else "Management"
    if p.identity["type"] != "AWSService":
        if prefix == "s3" and params and "Host" in params:
            host = params["Host"]
        record["tlsDetails"] = tls_details(host, ctx.rng.random() < 0.9)
        if p.console:
            record["sessionCredentialFromConsole"] = "true"
    return record


def console_login(
    ctx: Ctx, p: Principal, *, success: bool = True, mfa: bool = True
) -> dict[str, Any]:
    """An ``AwsConsoleSignIn`` record for ``p`` signing in to the console."""
    if p.identity["type"] == "AssumedRole":  # federated sign-in: the session it opens
        identity = {**ctx.identity(p), "accessKeyId": ""}
    else:
        identity = dict(p.identity)
        identity.pop("accessKeyId", None)
    extra: dict[str, str] = {
        "LoginTo": "https://console.aws.amazon.com/console/home?state=hashArgs%23&isauthcode=true",
        "MobileVersion": "No",
    }
    if mfa:
        extra["MFAIdentifier"] = f"arn:aws:iam::{p.account}:mfa/{p.name}-yubikey"
    extra["MFAUsed"] = "Yes" if mfa else "No"
    record: dict[str, Any] = {
        "eventVersion": "1.08",
        "userIdentity": identity,
        "eventTime": ctx.when,
        "eventSource": "signin.amazonaws.com",
        "eventName": "ConsoleLogin",
        "awsRegion": HOME_REGION,
        "sourceIPAddress": ctx.address(p),
        "userAgent": ctx.pick(p.agents[1:] or p.agents),
    }
    if not success:
        record["errorMessage"] = "Failed authentication"
    record["requestParameters"] = None
    record["responseElements"] = {"ConsoleLogin": "Success" if success else "Failure"}
    record["additionalEventData"] = extra
    record["eventID"] = ctx.uuid()
    record["readOnly"] = False
    record["eventType"] = "AwsConsoleSignIn"
    record["managementEvent"] = True
    record["recipientAccountId"] = ctx.site.account
    record["eventCategory"] = "Management"
    record["tlsDetails"] = tls_details("signin.aws.amazon.com")
    return record


def vpce_call(
    ctx: Ctx,
    identity: dict[str, Any],
    service: str,
    name: str,
    source_ip: str,
    error: tuple[str, str] | None = None,
) -> dict[str, Any]:
    """An ``AwsVpceEvent``: a call seen by the VPC endpoint of ``service`` at this site."""
    record: dict[str, Any] = {
        "eventVersion": "1.09",
        "userIdentity": identity,
        "eventTime": ctx.when,
        "eventSource": f"{service}.amazonaws.com",
        "eventName": name,
        "awsRegion": ctx.site.region,
        "sourceIPAddress": source_ip,
    }
    if error is not None:
        record["errorCode"], record["errorMessage"] = error
    record["requestID"] = ctx.uuid()
    record["eventID"] = ctx.uuid()
    record["eventType"] = "AwsVpceEvent"
    record["recipientAccountId"] = ctx.site.account
    record["sharedEventID"] = ctx.uuid()
    record["vpcEndpointId"] = ctx.site.vpc_endpoints[service]
    record["vpcEndpointAccountId"] = ctx.site.account
    record["eventCategory"] = "NetworkActivity"
    return record
