"""Check an integration step by step and say exactly which step and permission failed.

The steps are those the collector takes: get credentials (assume the role with the external ID),
read the queue's attributes, receive without deleting (visibility 0, so the message stays for the
collector), and read the first byte of a pending object, which needs ``s3:GetObject`` and, for
SSE-KMS objects, ``kms:Decrypt``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from botocore.exceptions import NoCredentialsError

from trailhound.sources.aws_clients import (
    AwsClients,
    error_code,
    error_message,
    is_access_denied,
)
from trailhound.sources.integrations import Integration
from trailhound.sources.notifications import NotificationError, ObjectRef, parse_body

ESTABLISHED = "Connection established"
_MISSING_QUEUE = {"AWS.SimpleQueueService.NonExistentQueue", "QueueDoesNotExist"}


@dataclass(frozen=True, slots=True)
class Step:
    """The outcome of one step of the test."""

    name: str
    ok: bool
    detail: str


@dataclass(slots=True)
class ConnectionReport:
    """Every step run, in order; the test stops at the first failure."""

    steps: list[Step] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Whether every step passed."""
        return all(step.ok for step in self.steps)

    @property
    def message(self) -> str:
        """``Connection established``, or what failed and what to check."""
        failed = [step for step in self.steps if not step.ok]
        return failed[0].detail if failed else ESTABLISHED


class _Failed(Exception):
    pass


def _step(
    report: ConnectionReport,
    name: str,
    action: Callable[[], str],
    explain: Callable[[BaseException], str],
) -> None:
    try:
        detail = action()
    except Exception as error:
        report.steps.append(Step(name, False, explain(error)))
        raise _Failed from error
    report.steps.append(Step(name, True, detail))


def _denied(permission: str, resource: str, hint: str) -> Callable[[BaseException], str]:
    def explain(error: BaseException) -> str:
        if is_access_denied(error):
            return f"{permission} denied on {resource}: {hint}"
        if error_code(error) in _MISSING_QUEUE:
            return f"queue {resource} does not exist: check the queue URL and the region"
        return f"{permission} failed on {resource}: {error_message(error)}"

    return explain


def _explain_credentials(error: BaseException) -> str:
    if isinstance(error, NoCredentialsError):
        return (
            "no AWS credentials found: configure the default credential chain, "
            "or give the integration a role ARN and external ID"
        )
    if is_access_denied(error):
        return "sts:AssumeRole denied: check the role's trust policy and external ID"
    return f"could not get credentials: {error_message(error)}"


def _explain_object(ref: ObjectRef) -> Callable[[BaseException], str]:
    def explain(error: BaseException) -> str:
        text = error_message(error)
        if is_access_denied(error) and "kms" in text.lower():
            return (
                f"kms:Decrypt denied for {ref.uri}: allow the role to use the trail's "
                "KMS key (key policy and role policy)"
            )
        if is_access_denied(error):
            return (
                f"s3:GetObject denied on {ref.uri}: allow s3:GetObject on the log prefix "
                "and check the bucket policy"
            )
        if error_code(error) == "NoSuchBucket":
            return f"bucket {ref.bucket} does not exist or is in another partition"
        return f"s3:GetObject failed on {ref.uri}: {text}"

    return explain


def check_connection(
    integration: Integration, clients: AwsClients | None = None, *, wait_seconds: int = 1
) -> ConnectionReport:
    """Run the connection test for one integration."""
    clients = clients or AwsClients(integration.connection)
    report = ConnectionReport()
    queue = integration.queue_url
    pending: list[ObjectRef] = []

    def credentials() -> str:
        if integration.role_arn:
            clients.assume_role()
            return f"assumed {integration.role_arn}"
        identity = clients.sts().get_caller_identity()
        return f"using the default credential chain as {identity['Arn']}"

    def attributes() -> str:
        attrs = clients.sqs().get_queue_attributes(
            QueueUrl=queue, AttributeNames=["ApproximateNumberOfMessages"]
        )["Attributes"]
        return f"{attrs.get('ApproximateNumberOfMessages', '?')} messages waiting"

    def receive() -> str:
        messages = (
            clients.sqs()
            .receive_message(
                QueueUrl=queue,
                MaxNumberOfMessages=10,
                VisibilityTimeout=0,
                WaitTimeSeconds=wait_seconds,
            )
            .get("Messages", [])
        )
        for message in messages:
            try:
                pending.extend(parse_body(message.get("Body", "")).objects)
            except NotificationError:
                continue
        return f"received {len(messages)} messages (left in the queue)"

    def read_object() -> str:
        ref = pending[0]
        try:
            clients.s3().get_object(Bucket=ref.bucket, Key=ref.key, Range="bytes=0-0")
        except Exception as error:
            if error_code(error) in {"NoSuchKey", "404"}:
                return f"{ref.uri} is gone already (a stale notification); access not checked"
            raise
        return f"read {ref.uri}"

    try:
        _step(report, "credentials", credentials, _explain_credentials)
        _step(
            report,
            "queue attributes",
            attributes,
            _denied("sqs:GetQueueAttributes", queue, "add it to the role's policy"),
        )
        _step(
            report,
            "receive",
            receive,
            _denied(
                "sqs:ReceiveMessage",
                queue,
                "add it to the role's policy and check the queue policy",
            ),
        )
        if pending:
            _step(report, "read object", read_object, _explain_object(pending[0]))
        else:
            report.steps.append(
                Step("read object", True, "no pending object to read: S3 access not checked yet")
            )
    except _Failed:
        pass
    return report
