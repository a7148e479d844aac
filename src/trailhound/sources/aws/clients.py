"""boto3 clients for one AWS connection: region, endpoint and an assumed role with an external ID.

Credentials come the AWS way: the base session follows the standard chain (environment, the
profile of ``--profile`` or ``AWS_PROFILE`` — a profile with ``role_arn``/``external_id`` is
assumed by botocore itself —, SSO, instance and task roles). Endpoints too: botocore resolves
``AWS_ENDPOINT_URL``, the per-service ``AWS_ENDPOINT_URL_SQS``… and a profile's ``endpoint_url``;
only an integration's explicit endpoint URL is passed on. The integration's own role is assumed
with its external ID through botocore's public refreshable credentials, so a collector runs for
days on one session. Credential and profile errors become one line that says how to fix them.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import boto3
import botocore.session
from botocore.config import Config
from botocore.credentials import CredentialProvider, CredentialResolver, RefreshableCredentials
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    CredentialRetrievalError,
    NoCredentialsError,
    NoRegionError,
    PartialCredentialsError,
    ProfileNotFound,
    SSOError,
    TokenRetrievalError,
)

from trailhound.errors import CollectError

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client
    from mypy_boto3_sqs import SQSClient
    from mypy_boto3_sts import STSClient

ENDPOINT_ENV = "AWS_ENDPOINT_URL"
PROFILE_ENV = "AWS_PROFILE"
DEFAULT_REGION = "us-east-1"
SESSION_NAME = "trailhound-collector"
ROLE_SESSION_SECONDS = 3600
_QUEUE_URL_REGION = re.compile(r"^https?://sqs[.-]([a-z]{2}(?:-gov|-iso[a-z]?)?-[a-z]+-\d)\.")
_ARN_PARTITION = re.compile(r"^arn:(aws[a-z-]*):")


class CredentialsError(CollectError):
    """No usable AWS credentials or profile; the message says how to fix it."""


def resolve_endpoint(explicit: str | None) -> str | None:
    """The endpoint URL to pass to a client: only an explicit one.

    Without it botocore resolves ``AWS_ENDPOINT_URL_<SERVICE>``, ``AWS_ENDPOINT_URL`` and the
    profile's ``endpoint_url`` itself, per service; passing ``$AWS_ENDPOINT_URL`` here would
    override the per-service variables.
    """
    return explicit or None


def use_profile(profile: str | None) -> None:
    """Make ``profile`` the base profile of this process (``--profile``), after checking it."""
    if not profile:
        return
    available = botocore.session.Session().available_profiles
    if profile not in available:
        raise CredentialsError(_profile_missing(profile, available))
    os.environ[PROFILE_ENV] = profile


def _profile_missing(profile: str, available: list[str]) -> str:
    known = ", ".join(sorted(available)) or "none"
    return (
        f"AWS profile {profile!r} is not in ~/.aws/config or ~/.aws/credentials (profiles: "
        f"{known}): fix --profile or AWS_PROFILE, or add it: aws configure --profile {profile}"
    )


def credentials_problem(error: BaseException, role_arn: str | None = None) -> str | None:
    """One line saying what is wrong with the credentials and how to fix it, or None."""
    if isinstance(error, ProfileNotFound):
        profile = str(getattr(error, "kwargs", {}).get("profile", os.environ.get(PROFILE_ENV)))
        return _profile_missing(profile, botocore.session.Session().available_profiles)
    if isinstance(error, NoCredentialsError):
        chain = (
            "set AWS_PROFILE (or --profile), AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, "
            "or run on an instance or task role"
        )
        if role_arn:
            return f"no base AWS credentials to assume {role_arn} with: {chain}"
        return (
            f"no AWS credentials found: {chain}, "
            "or give the integration a role ARN and external ID to assume"
        )
    if isinstance(error, PartialCredentialsError):
        return f"incomplete AWS credentials ({error}): set both the access key ID and the secret"
    if isinstance(error, SSOError | TokenRetrievalError):
        return f"the AWS SSO session has expired ({error}): run `aws sso login`"
    if isinstance(error, CredentialRetrievalError):
        return f"could not get credentials ({error}): check the profile's role_arn and source"
    if isinstance(error, NoRegionError):
        return "no AWS region: give the integration --region, or set AWS_DEFAULT_REGION"
    if isinstance(error, ClientError) and error_code(error) in _TOKEN_CODES:
        return (
            f"the AWS credentials were refused ({error_code(error)}): they are expired or "
            "wrong; refresh them (aws sso login, new keys) or pick another profile"
        )
    return None


_TOKEN_CODES = frozenset(
    {"InvalidClientTokenId", "ExpiredToken", "ExpiredTokenException", "UnrecognizedClientException"}
)


def region_from_queue_url(queue_url: str) -> str | None:
    """The region in an SQS queue URL, if it names one.

    >>> region_from_queue_url("https://sqs.eu-west-1.amazonaws.com/111122223333/trail")
    'eu-west-1'
    """
    match = _QUEUE_URL_REGION.match(queue_url)
    return match.group(1) if match else None


def partition_for_region(region: str) -> str:
    """The AWS partition a region belongs to (``aws``, ``aws-us-gov``, ``aws-cn``).

    >>> partition_for_region("us-gov-west-1")
    'aws-us-gov'
    """
    if region.startswith("us-gov-"):
        return "aws-us-gov"
    if region.startswith("cn-"):
        return "aws-cn"
    if region.startswith("us-iso-"):
        return "aws-iso"
    if region.startswith("us-isob-"):
        return "aws-iso-b"
    return "aws"


def partition_from_arn(arn: str) -> str | None:
    """The partition an ARN names, if it is an ARN."""
    match = _ARN_PARTITION.match(arn)
    return match.group(1) if match else None


def error_code(error: BaseException) -> str:
    """The AWS error code of a botocore error (``AccessDenied``…), or the exception's type name."""
    if isinstance(error, ClientError):
        return str(error.response.get("Error", {}).get("Code", "ClientError"))
    return type(error).__name__


def error_message(error: BaseException) -> str:
    """A short message for an AWS error, without request IDs or credentials."""
    problem = credentials_problem(error)
    if problem and not isinstance(error, ClientError):
        return problem
    if isinstance(error, ClientError):
        detail = error.response.get("Error", {})
        return f"{detail.get('Code', 'ClientError')}: {detail.get('Message', '')}".rstrip(": ")
    if isinstance(error, BotoCoreError):
        return str(error)
    return f"{type(error).__name__}: {error}"


def is_access_denied(error: BaseException) -> bool:
    """Whether an AWS error says the caller lacks a permission."""
    code = error_code(error)
    return (
        code
        in {
            "AccessDenied",
            "AccessDeniedException",
            "AuthorizationError",
            "403",
            "KMS.AccessDeniedException",
            "Forbidden",
        }
        or "AccessDenied" in code
    )


@dataclass(frozen=True, slots=True)
class AwsConnection:
    """Where and as whom to call AWS: region, endpoint, and the role to assume, if any."""

    region: str = DEFAULT_REGION
    role_arn: str | None = None
    external_id: str | None = None  # a shared secret: never log it
    endpoint_url: str | None = None
    max_pool_connections: int = 16

    def __repr__(self) -> str:
        return (
            f"AwsConnection(region={self.region!r}, role_arn={self.role_arn!r}, "
            f"external_id={'***' if self.external_id else None}, "
            f"endpoint_url={self.endpoint_url!r})"
        )


class _AssumedRole(CredentialProvider):
    """A credential provider that assumes the integration's role with its external ID."""

    METHOD = "trailhound-assume-role"
    CANONICAL_NAME = "trailhound-assume-role"

    def __init__(self, clients: AwsClients) -> None:
        super().__init__()
        self._clients = clients

    def load(self) -> RefreshableCredentials:
        return RefreshableCredentials.create_from_metadata(
            metadata=self._clients._refresh(),
            refresh_using=self._clients._refresh,
            method=self.METHOD,
        )


class AwsClients:
    """Creates (and caches) boto3 clients for one connection; clients are thread-safe."""

    def __init__(self, connection: AwsConnection, *, base: boto3.Session | None = None) -> None:
        self.connection = connection
        try:
            self._base = base or boto3.Session(region_name=connection.region)
        except BotoCoreError as error:
            raise CredentialsError(
                credentials_problem(error, connection.role_arn) or error_message(error)
            ) from error
        self._session: boto3.Session | None = None
        self._clients: dict[str, Any] = {}
        self.config = Config(
            region_name=connection.region,
            retries={"mode": "standard", "max_attempts": 5},
            max_pool_connections=connection.max_pool_connections,
            connect_timeout=10,
            read_timeout=70,  # longer than a 20 s long poll
        )

    @property
    def endpoint_url(self) -> str | None:
        """The integration's explicit endpoint, if any (botocore resolves the rest itself)."""
        return resolve_endpoint(self.connection.endpoint_url)

    def _base_client(self, service: str) -> Any:
        return self._base.client(
            service,
            config=self.config,  # type: ignore[call-overload]
            endpoint_url=self.endpoint_url,
        )

    def assume_role(self) -> dict[str, Any]:
        """Call ``sts:AssumeRole`` with the external ID; returns the temporary credentials."""
        if not self.connection.role_arn:
            raise ValueError("no role to assume")
        params: dict[str, Any] = {
            "RoleArn": self.connection.role_arn,
            "RoleSessionName": SESSION_NAME,
            "DurationSeconds": ROLE_SESSION_SECONDS,
        }
        if self.connection.external_id:
            params["ExternalId"] = self.connection.external_id
        response = self._base_client("sts").assume_role(**params)
        return dict(response["Credentials"])

    def _refresh(self) -> dict[str, str]:
        credentials = self.assume_role()
        expiry = credentials["Expiration"]
        if not isinstance(expiry, datetime):  # some endpoints return a string
            expiry = datetime.now(UTC) + timedelta(seconds=ROLE_SESSION_SECONDS)
        return {
            "access_key": credentials["AccessKeyId"],
            "secret_key": credentials["SecretAccessKey"],
            "token": credentials["SessionToken"],
            "expiry_time": expiry.astimezone(UTC).isoformat(),
        }

    def session(self) -> boto3.Session:
        """A session with the role's credentials (refreshed before expiry), or the base one."""
        if self._session is None:
            if not self.connection.role_arn:
                self._session = self._base
            else:
                # A botocore session whose only credential provider assumes the role: public
                # API (register_component), and botocore refreshes the credentials itself.
                core = botocore.session.Session()
                core.register_component(
                    "credential_provider", CredentialResolver(providers=[_AssumedRole(self)])
                )
                self._session = boto3.Session(
                    botocore_session=core, region_name=self.connection.region
                )
        return self._session

    def client(self, service: str) -> Any:
        """A cached client for ``service`` with the connection's credentials and endpoint."""
        if service not in self._clients:
            self._clients[service] = self.session().client(  # type: ignore[call-overload]
                service, config=self.config, endpoint_url=self.endpoint_url
            )
        return self._clients[service]

    def sqs(self) -> SQSClient:
        """The SQS client."""
        client: SQSClient = self.client("sqs")
        return client

    def s3(self) -> S3Client:
        """The S3 client."""
        client: S3Client = self.client("s3")
        return client

    def sts(self) -> STSClient:
        """The STS client (with the assumed role's credentials when there is a role)."""
        client: STSClient = self.client("sts")
        return client
