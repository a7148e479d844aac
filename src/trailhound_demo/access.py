"""Templates for identity and access calls: STS, IAM and console sign-in."""

from __future__ import annotations

from typing import Any

from trailhound_demo.calls import Builder, Record
from trailhound_demo.events import Ctx, api_call, console_login
from trailhound_demo.organization import HOME_REGION, LOG_BUCKET, Principal

_MONTHS = ("Nov", "Dec")


def expiration(sec: int) -> str:
    """An STS credential expiry in the format STS responses are logged with."""
    day, rest = divmod(sec, 86400)
    hour, rest = divmod(rest, 3600)
    minute, second = divmod(rest, 60)
    month, mday = (0, day + 1) if day < 30 else (1, day - 29)
    half = "AM" if hour < 12 else "PM"
    return f"{_MONTHS[month]} {mday}, 2026, {hour % 12 or 12}:{minute:02d}:{second:02d} {half}"


def assume_role(target: Principal) -> Builder:
    """STS AssumeRole whose credentials are the session ``target`` then uses."""

    def build(c: Ctx, p: Principal) -> Record:
        assert target.issuer is not None
        session = target.identity["arn"].rsplit("/", 1)[-1]
        key = c.identity(target)["accessKeyId"]
        arn = target.issuer["arn"]
        params: dict[str, Any] = {"roleArn": arn, "roleSessionName": session}
        if p.mfa:
            params["serialNumber"] = f"arn:aws:iam::{p.account}:mfa/{p.name}-yubikey"
        response = {
            "credentials": {"accessKeyId": key, "expiration": expiration(c.sec + 3600)},
            "assumedRoleUser": {
                "assumedRoleId": target.identity["principalId"],
                "arn": target.identity["arn"],
            },
        }
        return api_call(
            c,
            p,
            "sts.amazonaws.com",
            "AssumeRole",
            read_only=True,
            params=params,
            response=response,
            resources=[{"accountId": c.account, "type": "AWS::IAM::Role", "ARN": arn}],
            can_fail=False,
        )

    return build


def login(c: Ctx, p: Principal) -> Record:
    """A console sign-in; IAM users and root sometimes mistype their password."""
    # a mistyped password never reaches the MFA prompt; Identity Center sign-ins carry no MFA
    federated = p.identity["type"] == "AssumedRole"
    success = federated or c.rng.random() > 0.06
    return console_login(c, p, success=success, mfa=p.mfa and success and not federated)


def federation_token(c: Ctx, p: Principal) -> Record:
    """STS GetFederationToken by the build bot for the partner upload user."""
    account = p.account
    return api_call(
        c,
        p,
        "sts.amazonaws.com",
        "GetFederationToken",
        read_only=True,
        params={"name": "partner-upload", "durationSeconds": 3600},
        response={
            "credentials": {
                "accessKeyId": "ASIA" + "".join(c.rng.choices("ABCDEFGHIJKLMNOPQRSTUVWXYZ", k=16)),
                "expiration": expiration(c.sec + 3600),
            },
            "federatedUser": {
                "federatedUserId": f"{account}:partner-upload",
                "arn": f"arn:aws:sts::{account}:federated-user/partner-upload",
            },
        },
        can_fail=False,
    )


def cloudtrail_bucket_check(c: Ctx, p: Principal) -> Record:
    """CloudTrail checking the ACL of the bucket it delivers to."""
    params = {"bucketName": LOG_BUCKET, "Host": f"{LOG_BUCKET}.s3.amazonaws.com", "acl": ""}
    return api_call(c, p, "s3.amazonaws.com", "GetBucketAcl", read_only=True, params=params)


def password_policy(c: Ctx, p: Principal) -> Record:
    """IAM GetAccountPasswordPolicy: accounts without a custom policy answer NoSuchEntity."""
    error = None
    if c.site.alias != "production":
        error = (
            "NoSuchEntityException",
            f"The Password Policy with domain name {c.account} cannot be found.",
        )
    return api_call(
        c,
        p,
        "iam.amazonaws.com",
        "GetAccountPasswordPolicy",
        read_only=True,
        error=error,
        region=HOME_REGION,
    )


_IAM_USERS = {
    "production": ("svc-reporting", "ci-deployer", "ops-admin"),
    "development": ("jenkins", "build-bot"),
}


def get_user(c: Ctx, p: Principal) -> Record:
    """IAM GetUser; people look up users of other accounts and get NoSuchEntity."""
    name = c.pick(("svc-reporting", "ci-deployer", "ops-admin", "jenkins", "build-bot"))
    error = None
    if name not in _IAM_USERS.get(c.site.alias, ()):
        error = ("NoSuchEntityException", f"The user with name {name} cannot be found.")
    return api_call(
        c,
        p,
        "iam.amazonaws.com",
        "GetUser",
        read_only=True,
        params={"userName": name},
        error=error,
        region=HOME_REGION,
    )
