"""The demo organization: its accounts and regions, the people and workloads that call AWS."""

from __future__ import annotations

import random
from dataclasses import dataclass
from itertools import accumulate
from typing import Any

ORG_ID = "o-7k2m9x4q1z"
IDENTITY_STORE_ARN = "arn:aws:identitystore::401283756120:identitystore/d-9067a1b2c3"
EMAIL_DOMAIN = "acme.example"
LOG_BUCKET = "acme-org-cloudtrail-401283756120"
TRAIL_NAME = "acme-org-trail"
HOME_REGION = "us-east-1"  # where global services (IAM, Organizations, sign-in) log

# (account id, alias, share of the traffic, regions with their share of the account's traffic)
ACCOUNTS: tuple[tuple[str, str, float, tuple[tuple[str, float], ...]], ...] = (
    ("401283756120", "management", 0.10, (("us-east-1", 0.85), ("us-west-2", 0.15))),
    (
        "512934607731",
        "production",
        0.45,
        (("us-east-1", 0.55), ("eu-west-1", 0.30), ("us-west-2", 0.15)),
    ),
    (
        "623045718842",
        "development",
        0.30,
        (("us-east-1", 0.50), ("eu-west-1", 0.35), ("eu-central-1", 0.15)),
    ),
    ("734156829953", "security", 0.15, (("us-east-1", 0.70), ("eu-west-1", 0.30))),
)
ORG_TRAIL_ACCOUNT = "401283756120"  # its logs are written under AWSLogs/<org id>/<account>/
FOREIGN_ACCOUNT = "958371046625"  # belongs to no one in the demo

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

BROWSERS = (
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/130.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/130.0.0.0 Safari/537.36 Edg/130.0.0.0",
    "Mozilla/5.0 (X11; Linux x86_64; rv:132.0) Gecko/20100101 Firefox/132.0",
)
CONSOLE_AGENTS = ("AWS Internal", *BROWSERS)
AWS_CLI = (
    "aws-cli/2.18.4 md/awscrt#0.22.0 ua/2.0 os/macos#24.0.0 md/arch#arm64 lang/python#3.12.6 "
    "md/pyimpl#CPython cfg/retry-mode#standard md/installer#source md/prompt#off md/command#{cmd}",
    "aws-cli/2.17.51 md/awscrt#0.21.2 ua/2.0 os/linux#6.8.0-1016-aws md/arch#x86_64 "
    "lang/python#3.11.9 md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe "
    "md/distrib#ubuntu.24 md/prompt#off md/command#{cmd}",
)
CLI_COMMANDS = ("ec2.describe-instances", "s3.ls", "sts.get-caller-identity", "logs.tail")
CLI_AGENTS = tuple(agent.replace("{cmd}", cmd) for agent in AWS_CLI for cmd in CLI_COMMANDS)
BOTO3 = (
    "Boto3/1.35.54 md/Botocore#1.35.54 ua/2.0 os/linux#5.10.227-219.884.amzn2.x86_64 "
    "md/arch#x86_64 lang/python#3.12.7 md/pyimpl#CPython exec-env/AWS_Lambda_python3.12 "
    "cfg/retry-mode#legacy Botocore/1.35.54",
    "Boto3/1.34.162 md/Botocore#1.34.162 ua/2.0 os/linux#6.1.112-122.189.amzn2023.x86_64 "
    "md/arch#x86_64 lang/python#3.11.10 md/pyimpl#CPython cfg/retry-mode#legacy "
    "Botocore/1.34.162",
)
TERRAFORM = (
    "APN/1.0 HashiCorp/1.0 Terraform/1.9.8 (+https://www.terraform.io) "
    "terraform-provider-aws/5.74.0 (+https://registry.terraform.io/providers/hashicorp/aws) "
    "aws-sdk-go-v2/1.32.3 ua/2.1 os/linux lang/go#1.23.2 md/GOOS#linux md/GOARCH#amd64",
)
JAVA_SDK = (
    "[aws-sdk-java/1.12.777 Linux/5.10.227-219.884.amzn2.x86_64 "
    "OpenJDK_64-Bit_Server_VM/17.0.13+11-LTS java/17.0.13 vendor/Amazon.com_Inc. "
    "cfg/retry-mode/standard]",
)
GO_SDK = ("aws-sdk-go-v2/1.32.3 ua/2.1 os/linux lang/go#1.23.2 md/GOOS#linux md/GOARCH#amd64",)
DATADOG = ("Datadog/1.0 (+https://docs.datadoghq.com/integrations/amazon_web_services/)",)

OFFICE_IPS = ("62.45.112.18", "62.45.112.19", "62.45.112.27")
CI_RUNNER_IPS = ("4.227.183.44", "20.169.97.12", "172.183.51.9")  # hosted CI runners
DATADOG_IPS = ("3.233.144.12", "3.233.146.80", "44.205.20.178")
HOME_IPS = (
    "73.162.81.44",
    "98.207.143.9",
    "24.5.76.201",
    "86.155.32.7",
    "92.40.178.211",
    "188.25.61.140",
    "81.101.14.53",
    "109.190.45.17",
    "68.47.202.99",
    "151.41.87.20",
    "95.91.211.6",
    "110.66.140.33",
)
NAT_PREFIXES = {"us-east-1": "54.198", "us-west-2": "52.40", "eu-west-1": "34.240"}

LAMBDAS = ("orders-api", "invoice-renderer", "image-resizer", "nightly-export", "webhook-relay")
SECRETS = (
    "prod/orders/db",
    "prod/payments/stripe-key",
    "shared/datadog-api-key",
    "app/jwt-signing",
)
PARAMETERS = ("/app/feature-flags", "/app/orders/queue-url", "/platform/ami/latest", "/app/db/host")
DATABASES = ("orders-db", "analytics-db")
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
    issuer: dict[str, Any] | None = None  # sessionIssuer when it holds temporary credentials
    mfa: bool = False
    console: bool = False
    assumes: tuple[Principal, ...] = ()  # role sessions it opens with sts:AssumeRole

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
    cum_weights: tuple[float, ...]
    buckets: tuple[str, ...]
    functions: tuple[str, ...]
    instances: tuple[str, ...]
    kms_keys: tuple[str, ...]
    security_groups: tuple[str, ...]
    subnets: tuple[str, ...]
    vpc: str
    vpc_endpoints: dict[str, str]  # service prefix -> vpce id
    nat_ips: tuple[str, ...]


@dataclass(frozen=True, eq=False, slots=True)
class Population:
    """Every site of the demo organization and its named principals."""

    sites: tuple[Site, ...]
    principals: dict[str, Principal]  # "<alias>/<name>" -> principal

    def site(self, alias: str, region: str) -> Site:
        """The site of ``alias`` in ``region``."""
        return next(s for s in self.sites if s.alias == alias and s.region == region)

    def principal(self, alias: str, name: str) -> Principal:
        """The principal called ``name`` in the account ``alias``."""
        return self.principals[f"{alias}/{name}"]


def access_key(rng: random.Random, prefix: str, length: int = 16) -> str:
    """An AWS-style identifier: a four-letter prefix and base32 characters."""
    return prefix + "".join(rng.choices(_KEY_ALPHABET, k=length))


def hex_id(rng: random.Random, prefix: str, length: int = 17) -> str:
    """An EC2-style resource id such as ``i-0abc…``."""
    return f"{prefix}-0{rng.getrandbits(4 * (length - 1)):0{length - 1}x}"


def _user(rng: random.Random, account: str, name: str, path: str = "/") -> dict[str, Any]:
    return {
        "type": "IAMUser",
        "principalId": access_key(rng, "AIDA", 17),
        "arn": f"arn:aws:iam::{account}:user{path}{name}",
        "accountId": account,
        "accessKeyId": access_key(rng, "AKIA"),
        "userName": name,
    }


def _role(rng: random.Random, account: str, name: str, path: str = "/") -> dict[str, Any]:
    return {
        "type": "Role",
        "principalId": access_key(rng, "AROA", 17),
        "arn": f"arn:aws:iam::{account}:role{path}{name}",
        "accountId": account,
        "userName": name,
    }


def _session(role: dict[str, Any], session: str) -> dict[str, Any]:
    account = role["accountId"]
    return {
        "type": "AssumedRole",
        "principalId": f"{role['principalId']}:{session}",
        "arn": f"arn:aws:sts::{account}:assumed-role/{role['userName']}/{session}",
        "accountId": account,
    }


def _people(rng: random.Random, account: str, alias: str) -> list[tuple[Principal, float]]:
    """Engineers: IAM Identity Center sessions in every account, console and command line."""
    sso = {
        "AdministratorAccess": _role(
            rng,
            account,
            f"AWSReservedSSO_AdministratorAccess_{rng.getrandbits(64):016x}",
            "/aws-reserved/sso.amazonaws.com/",
        ),
        "DeveloperAccess": _role(
            rng,
            account,
            f"AWSReservedSSO_DeveloperAccess_{rng.getrandbits(64):016x}",
            "/aws-reserved/sso.amazonaws.com/",
        ),
    }
    people: list[tuple[Principal, float]] = []
    for i, person in enumerate(PEOPLE):
        permission = "AdministratorAccess" if i < 3 else "DeveloperAccess"
        identity = _session(sso[permission], f"{person}@{EMAIL_DOMAIN}")
        home = (HOME_IPS[i], *OFFICE_IPS)
        cli = CLI_AGENTS + TERRAFORM
        for console, agents, weight in ((True, CONSOLE_AGENTS, 0.3), (False, cli, 0.5)):
            people.append(
                (
                    Principal(
                        person,
                        "engineer-console" if console else "engineer-cli",
                        account,
                        identity,
                        home,
                        agents,
                        issuer=sso[permission],
                        console=console,
                    ),
                    weight,
                )
            )
    return people


def _workloads(rng: random.Random, account: str, region: str) -> list[tuple[Principal, float]]:
    """Lambda functions, EC2 instances and ECS tasks working with their execution roles."""
    nat = NAT_PREFIXES.get(region, "18.196")
    nat_ips = tuple(f"{nat}.{rng.randrange(1, 255)}.{rng.randrange(1, 255)}" for _ in range(2))
    out: list[tuple[Principal, float]] = []
    for fn in LAMBDAS:
        role = _role(rng, account, f"{fn}-role-{region}", "/service-role/")
        out.append(
            (
                Principal(
                    f"lambda/{fn}",
                    "lambda",
                    account,
                    _session(role, fn),
                    nat_ips,
                    BOTO3,
                    issuer=role,
                ),
                3.0,
            )
        )
    instance_role = _role(rng, account, "ec2-app-instance-role")
    for _ in range(4):
        instance = hex_id(rng, "i")
        ip = f"{nat}.{rng.randrange(1, 255)}.{rng.randrange(1, 255)}"
        out.append(
            (
                Principal(
                    f"ec2/{instance}",
                    "ec2",
                    account,
                    _session(instance_role, instance),
                    (ip,),
                    GO_SDK + JAVA_SDK,
                    issuer=instance_role,
                ),
                2.0,
            )
        )
    task_role = _role(rng, account, "ecs-orders-worker-task-role")
    task = f"{rng.getrandbits(128):032x}"
    out.append(
        (
            Principal(
                "ecs/orders-worker",
                "ecs",
                account,
                _session(task_role, task),
                nat_ips,
                JAVA_SDK,
                issuer=task_role,
            ),
            3.0,
        )
    )
    for service, weight in (("lambda", 2.0), ("ec2", 1.0), ("ecs-tasks", 0.8)):
        host = f"{service}.amazonaws.com"
        identity = {"type": "AWSService", "invokedBy": host}
        out.append((Principal(host, f"aws-{service}", account, identity, (host,), (host,)), weight))
    return out


def _service_users(rng: random.Random, account: str, alias: str) -> list[tuple[Principal, float]]:
    """Long-lived IAM users with access keys, and the few humans who still sign in as one."""
    out: list[tuple[Principal, float]] = []
    if alias == "production":
        out.append(
            (
                Principal(
                    "svc-reporting",
                    "reporting",
                    account,
                    _user(rng, account, "svc-reporting"),
                    ("3.91.204.17",),
                    BOTO3,
                ),
                1.0,
            )
        )
        out.append(
            (
                Principal(
                    "ci-deployer",
                    "terraform",
                    account,
                    _user(rng, account, "ci-deployer"),
                    CI_RUNNER_IPS,
                    TERRAFORM,
                ),
                1.5,
            )
        )
        ops = _user(rng, account, "ops-admin")
        glass = _role(rng, account, "BreakGlassAdmin")
        admin = Principal(
            "ops-admin@BreakGlassAdmin",
            "engineer-console",
            account,
            _session(glass, "ops-admin"),
            OFFICE_IPS,
            CONSOLE_AGENTS,
            issuer=glass,
            mfa=True,
            console=True,
        )
        out.append((admin, 0.2))
        out.append(
            (
                Principal(
                    "ops-admin",
                    "iam-user-console",
                    account,
                    ops,
                    OFFICE_IPS,
                    CONSOLE_AGENTS,
                    issuer={},
                    mfa=True,
                    console=True,
                    assumes=(admin,),
                ),
                0.3,
            )
        )
    if alias == "development":
        deploy = _role(rng, account, "TerraformDeployRole")
        terraform = Principal(
            "jenkins@TerraformDeployRole",
            "terraform",
            account,
            _session(deploy, "jenkins"),
            CI_RUNNER_IPS,
            TERRAFORM,
            issuer=deploy,
        )
        out.append((terraform, 1.5))
        out.append(
            (
                Principal(
                    "jenkins",
                    "ci-user",
                    account,
                    _user(rng, account, "jenkins"),
                    CI_RUNNER_IPS,
                    CLI_AGENTS[4:],
                    assumes=(terraform,),
                ),
                0.2,
            )
        )
        bot = _user(rng, account, "build-bot")
        out.append((Principal("build-bot", "build-bot", account, bot, CI_RUNNER_IPS, BOTO3), 0.5))
        federated = {
            "type": "FederatedUser",
            "principalId": f"{account}:partner-upload",
            "arn": f"arn:aws:sts::{account}:federated-user/partner-upload",
            "accountId": account,
        }
        issuer = {k: bot[k] for k in ("principalId", "arn", "accountId", "userName")}
        out.append(
            (
                Principal(
                    "partner-upload",
                    "federated",
                    account,
                    federated,
                    ("80.158.21.44", "80.158.21.45"),
                    BOTO3,
                    issuer={"type": "IAMUser", **issuer},
                ),
                0.4,
            )
        )
    if alias == "management":
        root = {
            "type": "Root",
            "principalId": account,
            "arn": f"arn:aws:iam::{account}:root",
            "accountId": account,
        }
        out.append(
            (
                Principal(
                    "root",
                    "root",
                    account,
                    root,
                    OFFICE_IPS[:1],
                    CONSOLE_AGENTS,
                    issuer={},
                    mfa=True,
                    console=True,
                ),
                0.05,
            )
        )
        for person in PEOPLE[:4]:
            identity = {
                "type": "IdentityCenterUser",
                "accountId": account,
                "onBehalfOf": {
                    "userId": f"{rng.getrandbits(32):08x}-{rng.getrandbits(16):04x}-70"
                    f"{rng.getrandbits(8):02x}-{rng.getrandbits(16):04x}-{rng.getrandbits(48):012x}",
                    "identityStoreArn": IDENTITY_STORE_ARN,
                },
                "credentialId": access_key(rng, "", 40).lower(),
            }
            out.append(
                (
                    Principal(
                        f"idc/{person}",
                        "identity-center",
                        account,
                        identity,
                        (OFFICE_IPS[0],),
                        BROWSERS,
                    ),
                    0.5,
                )
            )
    datadog = _role(rng, account, "DatadogIntegrationRole")
    out.append(
        (
            Principal(
                "datadog",
                "monitoring",
                account,
                _session(datadog, "DatadogAWSIntegration"),
                DATADOG_IPS,
                DATADOG,
                issuer=datadog,
            ),
            2.0,
        )
    )
    if alias != "security":
        audit = _role(rng, account, "SecurityAuditRole")
        out.append(
            (
                Principal(
                    "security-audit",
                    "auditor",
                    account,
                    _session(audit, "prowler-scan"),
                    ("3.91.12.200",),
                    BOTO3,
                    issuer=audit,
                ),
                0.6,
            )
        )
        # the security account's log forwarder reads this account's buckets: logged as AWSAccount
        forwarder = {
            "type": "AWSAccount",
            "principalId": access_key(rng, "AROA", 17) + ":log-forwarder",
            "accountId": "734156829953",
        }
        out.append(
            (
                Principal(
                    "log-forwarder", "cross-account", account, forwarder, ("3.91.12.201",), JAVA_SDK
                ),
                0.8,
            )
        )
    return out


def build_population(seed: int) -> Population:
    """The organization for ``seed``: names are fixed, keys and resource ids follow the seed."""
    rng = random.Random(f"{seed}/population")
    sites: list[Site] = []
    principals: dict[str, Principal] = {}
    for account, alias, account_weight, regions in ACCOUNTS:
        shared = _people(rng, account, alias) + _service_users(rng, account, alias)
        for p, _ in shared:
            principals.setdefault(f"{alias}/{p.name}", p)
        for region, region_weight in regions:
            workloads = _workloads(rng, account, region)
            callers = [(p, w) for p, w in shared if region == HOME_REGION or p.role != "root"]
            if region != HOME_REGION:
                callers = [(p, w * 0.5) for p, w in callers if p.role != "identity-center"]
            callers += workloads
            for p, _ in workloads:
                principals.setdefault(f"{alias}/{region}/{p.name}", p)
            sites.append(
                Site(
                    account=account,
                    alias=alias,
                    region=region,
                    weight=account_weight * region_weight,
                    callers=tuple(p for p, _ in callers),
                    cum_weights=tuple(accumulate(w for _, w in callers)),
                    buckets=tuple(
                        f"acme-{alias}-{name}-{region}"
                        for name in ("app-data", "exports", "artifacts", "static-assets")
                    ),
                    functions=LAMBDAS,
                    instances=tuple(p.name[4:] for p, _ in workloads if p.role == "ec2"),
                    kms_keys=tuple(
                        f"{rng.getrandbits(32):08x}-{rng.getrandbits(16):04x}-4"
                        f"{rng.getrandbits(12):03x}-a{rng.getrandbits(12):03x}-"
                        f"{rng.getrandbits(48):012x}"
                        for _ in range(3)
                    ),
                    security_groups=tuple(hex_id(rng, "sg") for _ in range(4)),
                    subnets=tuple(hex_id(rng, "subnet") for _ in range(3)),
                    vpc=hex_id(rng, "vpc"),
                    vpc_endpoints={
                        svc: hex_id(rng, "vpce") for svc in ("kms", "secretsmanager", "s3")
                    },
                    nat_ips=workloads[0][0].ips,
                )
            )
    return Population(tuple(sites), principals)
