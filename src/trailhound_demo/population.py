"""Who lives in the demo organization: people, workloads and services, site by site."""

from __future__ import annotations

import random
from dataclasses import replace

from trailhound_demo import clients as ua
from trailhound_demo.organization import (
    ACCOUNTS,
    BUCKETS,
    EMAIL_DOMAIN,
    HOME_REGION,
    IDENTITY_STORE_ARN,
    LAMBDAS,
    PEOPLE,
    SECURITY_ACCOUNT,
    Population,
    Principal,
    Site,
    access_key,
    hex_id,
    iam_role,
    iam_user,
    key_uuid,
    role_caller,
    role_session,
)

_SSO_PATH = "/aws-reserved/sso.amazonaws.com/"


def _people(rng: random.Random, account: str) -> list[Principal]:
    """Engineers: IAM Identity Center sessions in every account, console and command line."""
    admin, developer = (
        iam_role(rng, account, f"AWSReservedSSO_{name}_{rng.getrandbits(64):016x}", _SSO_PATH)
        for name in ("AdministratorAccess", "DeveloperAccess")
    )
    people = []
    for i, person in enumerate(PEOPLE):
        role = admin if i < 3 else developer
        identity = role_session(role, f"{person}@{EMAIL_DOMAIN}")
        home = ua.HOME_IPS[i]
        people += [
            Principal(
                person,
                "engineer-console",
                account,
                identity,
                ua.OFFICE_IPS,
                ua.CONSOLE_AGENTS,
                0.3,
                role,
                console=True,
                home=home,
            ),
            Principal(
                person,
                "engineer-cli",
                account,
                identity,
                ua.OFFICE_IPS,
                ua.CLI_AGENTS + ua.TERRAFORM,
                0.5,
                role,
                home=home,
            ),
        ]
    return people


def _workloads(rng: random.Random, account: str, region: str) -> list[Principal]:
    """Lambda functions, EC2 instances and ECS tasks with their roles, and the AWS services."""
    nat = ua.NAT_PREFIXES.get(region, "18.196")
    nat_ips = tuple(f"{nat}.{rng.randrange(1, 255)}.{rng.randrange(1, 255)}" for _ in range(2))
    out = [
        role_caller(
            rng,
            account,
            f"{fn}-role-{region}",
            fn,
            f"lambda/{fn}",
            "lambda",
            path="/service-role/",
            ips=nat_ips,
            agents=ua.BOTO3,
            weight=3.0,
        )
        for fn in LAMBDAS
    ]
    instance_role = iam_role(rng, account, "ec2-app-instance-role")
    for _ in range(4):
        instance = hex_id(rng, "i")
        ip = f"{nat}.{rng.randrange(1, 255)}.{rng.randrange(1, 255)}"
        out.append(
            Principal(
                f"ec2/{instance}",
                "ec2",
                account,
                role_session(instance_role, instance),
                (ip,),
                ua.GO_SDK + ua.JAVA_SDK,
                2.0,
                instance_role,
            )
        )
    task = f"{rng.getrandbits(128):032x}"
    out.append(
        role_caller(
            rng,
            account,
            "ecs-orders-worker-task-role",
            task,
            "ecs/orders-worker",
            "ecs",
            ips=nat_ips,
            agents=ua.JAVA_SDK,
            weight=3.0,
        )
    )
    for service, weight in (("lambda", 2.0), ("ec2", 1.0), ("ecs-tasks", 0.8)):
        host = f"{service}.amazonaws.com"
        identity = {"type": "AWSService", "invokedBy": host}
        out.append(Principal(host, f"aws-{service}", account, identity, (host,), (host,), weight))
    return out


def _service_users(rng: random.Random, account: str, alias: str) -> list[Principal]:
    """Long-lived IAM users with access keys, the roles they assume and a federated user."""
    out: list[Principal] = []
    if alias == "production":
        out.append(
            Principal(
                "svc-reporting",
                "reporting",
                account,
                iam_user(rng, account, "svc-reporting"),
                ("3.91.204.17",),
                ua.BOTO3,
            )
        )
        out.append(
            Principal(
                "ci-deployer",
                "terraform",
                account,
                iam_user(rng, account, "ci-deployer"),
                ua.CI_RUNNER_IPS,
                ua.TERRAFORM,
                1.5,
            )
        )
        out.append(
            role_caller(
                rng,
                account,
                "BreakGlassAdmin",
                "ops-admin",
                "ops-admin@BreakGlassAdmin",
                "engineer-console",
                ips=ua.OFFICE_IPS,
                agents=ua.CONSOLE_AGENTS,
                weight=0.2,
                mfa=True,
                console=True,
            )
        )
        out.append(
            Principal(
                "ops-admin",
                "iam-user-console",
                account,
                iam_user(rng, account, "ops-admin"),
                ua.OFFICE_IPS,
                ua.CONSOLE_AGENTS,
                0.3,
                {},
                mfa=True,
                console=True,
                assumes=(out[-1],),
            )
        )
    if alias == "development":
        out.append(
            role_caller(
                rng,
                account,
                "TerraformDeployRole",
                "jenkins",
                "jenkins@TerraformDeployRole",
                "terraform",
                ips=ua.CI_RUNNER_IPS,
                agents=ua.TERRAFORM,
                weight=1.5,
            )
        )
        out.append(
            Principal(
                "jenkins",
                "ci-user",
                account,
                iam_user(rng, account, "jenkins"),
                ua.CI_RUNNER_IPS,
                ua.CLI_AGENTS[4:],
                0.2,
                assumes=(out[-1],),
            )
        )
        bot = iam_user(rng, account, "build-bot")
        out.append(
            Principal("build-bot", "build-bot", account, bot, ua.CI_RUNNER_IPS, ua.BOTO3, 0.5)
        )
        federated = {
            "type": "FederatedUser",
            "principalId": f"{account}:partner-upload",
            "arn": f"arn:aws:sts::{account}:federated-user/partner-upload",
            "accountId": account,
        }
        issuer = {
            "type": "IAMUser",
            **{k: bot[k] for k in ("principalId", "arn", "accountId", "userName")},
        }
        out.append(
            Principal(
                "partner-upload",
                "federated",
                account,
                federated,
                ("80.158.21.44", "80.158.21.45"),
                ua.BOTO3,
                0.4,
                issuer,
            )
        )
    return out


def _org_callers(rng: random.Random, account: str, alias: str) -> list[Principal]:
    """Root, Identity Center users, the monitoring vendor and the security team's tooling."""
    out: list[Principal] = []
    if alias == "management":
        root = {
            "type": "Root",
            "principalId": account,
            "arn": f"arn:aws:iam::{account}:root",
            "accountId": account,
        }
        out.append(
            Principal(
                "root",
                "root",
                account,
                root,
                ua.OFFICE_IPS[:1],
                ua.CONSOLE_AGENTS,
                0.05,
                {},
                mfa=True,
                console=True,
            )
        )
        for person in PEOPLE[:4]:
            identity = {
                "type": "IdentityCenterUser",
                "accountId": account,
                "onBehalfOf": {"userId": key_uuid(rng), "identityStoreArn": IDENTITY_STORE_ARN},
                "credentialId": access_key(rng, "", 40).lower(),
            }
            out.append(
                Principal(
                    f"idc/{person}",
                    "identity-center",
                    account,
                    identity,
                    ua.OFFICE_IPS[:1],
                    ua.BROWSERS,
                    0.5,
                )
            )
    out.append(
        role_caller(
            rng,
            account,
            "DatadogIntegrationRole",
            "DatadogAWSIntegration",
            "datadog",
            "monitoring",
            ips=ua.DATADOG_IPS,
            agents=ua.DATADOG,
            weight=2.0,
        )
    )
    if alias != "security":
        out.append(
            role_caller(
                rng,
                account,
                "SecurityAuditRole",
                "prowler-scan",
                "security-audit",
                "auditor",
                ips=("3.91.12.200",),
                agents=ua.BOTO3,
                weight=0.6,
            )
        )
        # the security account's log forwarder reads this account's buckets: logged as AWSAccount
        forwarder = {
            "type": "AWSAccount",
            "principalId": access_key(rng, "AROA", 17) + ":log-forwarder",
            "accountId": SECURITY_ACCOUNT,
        }
        out.append(
            Principal(
                "log-forwarder",
                "cross-account",
                account,
                forwarder,
                ("3.91.12.201",),
                ua.JAVA_SDK,
                0.8,
            )
        )
    return out


def _site(
    rng: random.Random,
    account: str,
    alias: str,
    region: str,
    weight: float,
    shared: list[Principal],
) -> Site:
    workloads = _workloads(rng, account, region)
    callers = [
        p for p in shared if region == HOME_REGION or p.role not in ("root", "identity-center")
    ]
    if region != HOME_REGION:  # people work mostly in the main region
        callers = [
            replace(p, weight=p.weight * 0.5) if p.role.startswith("engineer") else p
            for p in callers
        ]
    callers += workloads
    return Site(
        account=account,
        alias=alias,
        region=region,
        weight=weight,
        callers=tuple(callers),
        buckets=tuple(f"acme-{alias}-{name}-{region}" for name in BUCKETS),
        functions=LAMBDAS,
        instances=tuple(p.name[4:] for p in workloads if p.role == "ec2"),
        kms_keys=tuple(key_uuid(rng) for _ in range(3)),
        security_groups=tuple(hex_id(rng, "sg") for _ in range(4)),
        subnets=tuple(hex_id(rng, "subnet") for _ in range(3)),
        vpc_endpoints={svc: hex_id(rng, "vpce") for svc in ("kms", "secretsmanager", "s3")},
    )


def build_population(seed: int) -> Population:
    """The organization for ``seed``: names are fixed, keys and resource ids follow the seed."""
    rng = random.Random(f"{seed}/population")
    sites: list[Site] = []
    principals: dict[str, Principal] = {}
    for account, alias, account_weight, regions in ACCOUNTS:
        shared = (
            _people(rng, account)
            + _service_users(rng, account, alias)
            + _org_callers(rng, account, alias)
        )
        for p in shared:
            principals.setdefault(f"{alias}/{p.name}", p)
        for region, region_weight in regions:
            site = _site(rng, account, alias, region, account_weight * region_weight, shared)
            for p in site.callers:
                principals.setdefault(f"{alias}/{region}/{p.name}", p)
            sites.append(site)
    return Population(tuple(sites), principals)
