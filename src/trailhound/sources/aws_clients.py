"""boto3 clients for one AWS connection: region, endpoint and an assumed role with an external ID.

Every client honours an explicit endpoint URL (the integration's ``endpoint_url``) and otherwise
the standard ``AWS_ENDPOINT_URL`` environment variable, so VPC endpoints, GovCloud and local test
servers work. Assumed-role credentials refresh themselves before they expire, so a collector can
run for days on one session.
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
from botocore.credentials import RefreshableCredentials
from botocore.exceptions import BotoCoreError, ClientError

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client
    from mypy_boto3_sqs import SQSClient
    from mypy_boto3_sts import STSClient

ENDPOINT_ENV = "AWS_ENDPOINT_URL"
DEFAULT_REGION = "us-east-1"
SESSION_NAME = "trailhound-collector"
ROLE_SESSION_SECONDS = 3600
_QUEUE_URL_REGION = re.compile(r"^https?://sqs[.-]([a-z]{2}(?:-gov|-iso[a-z]?)?-[a-z]+-\d)\.")
_ARN_PARTITION = re.compile(r"^arn:(aws[a-z-]*):")


def resolve_endpoint(explicit: str | None) -> str | None:
    """The endpoint URL to use: the explicit one, else ``$AWS_ENDPOINT_URL``, else AWS's own."""
    return explicit or os.environ.get(ENDPOINT_ENV) or None


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


class AwsClients:
    """Creates (and caches) boto3 clients for one connection; clients are thread-safe."""

    def __init__(self, connection: AwsConnection, *, base: boto3.Session | None = None) -> None:
        self.connection = connection
        self._base = base or boto3.Session(region_name=connection.region)
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
        """The endpoint every client of this connection uses, if not AWS's own."""
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
                credentials = RefreshableCredentials.create_from_metadata(
                    metadata=self._refresh(), refresh_using=self._refresh, method="sts-assume-role"
                )
                core = botocore.session.get_session()
                core._credentials = credentials  # type: ignore[attr-defined]  # boto3's own way
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
