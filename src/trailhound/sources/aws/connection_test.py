"""Check an integration step by step and say exactly which step and permission failed.

The steps are those the collector takes, and the chain that feeds it: get credentials (assume
the role with the external ID), read the queue's attributes (its ARN and policy), receive without
deleting (visibility 0, so the message stays for the collector), check that the bucket's
notification configuration reaches the queue (directly, through an SNS topic or through
EventBridge, as the queue policy admits), then read the first byte of a pending log object, which
needs ``s3:GetObject`` and, for SSE-KMS objects, ``kms:Decrypt``.

"Connection established" only when every step passed and a real log object was read;
"Connected, no log delivered yet" when the chain is right but nothing is waiting in the queue.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from trailhound.sources.aws.clients import (
    AwsClients,
    CredentialsError,
    credentials_problem,
    error_code,
    error_message,
    is_access_denied,
)
from trailhound.sources.aws.integrations import Integration
from trailhound.sources.aws.notifications import NotificationError, ObjectRef, parse_body
from trailhound.sources.aws.setup.bucket_notification import admits

ESTABLISHED = "Connection established"
NO_LOG_YET = "Connected, no log delivered yet"
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

    log_read: bool = False  # a real log object was read

    @property
    def message(self) -> str:
        """``Connection established``, ``Connected, no log delivered yet``, or what failed."""
        failed = [step for step in self.steps if not step.ok]
        if failed:
            return failed[0].detail
        return ESTABLISHED if self.log_read else NO_LOG_YET


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


def _explain_credentials(role_arn: str | None) -> Callable[[BaseException], str]:
    def explain(error: BaseException) -> str:
        problem = credentials_problem(error, role_arn)
        if problem:
            return problem
        if is_access_denied(error):
            return "sts:AssumeRole denied: check the role's trust policy and external ID"
        return f"could not get credentials: {error_message(error)}"

    return explain


def queue_policy_sources(policy_text: str | None) -> list[tuple[str, str | None]]:
    """``(service, source ARN or None)`` pairs the queue policy lets send messages."""
    try:
        document = json.loads(policy_text or "{}")
    except ValueError:
        return []
    statements = document.get("Statement", [])
    found: list[tuple[str, str | None]] = []
    for statement in statements if isinstance(statements, list) else [statements]:
        actions = statement.get("Action", [])
        actions = [actions] if isinstance(actions, str) else actions
        if statement.get("Effect") != "Allow" or not (
            {"sqs:SendMessage", "sqs:*", "*"} & set(actions)
        ):
            continue
        principal = statement.get("Principal", {})
        services = principal.get("Service", []) if isinstance(principal, dict) else ["*"]
        services = [services] if isinstance(services, str) else services
        sources: list[str | None] = []
        for operator in statement.get("Condition", {}).values():
            value = operator.get("aws:SourceArn") or operator.get("aws:sourceArn")
            if value:
                sources += [value] if isinstance(value, str) else list(value)
        for service in services or ["*"]:
            found += [(str(service), source) for source in sources or [None]]
    return found


def _admitted(sources: list[tuple[str, str | None]], service: str, arn: str | None) -> bool:
    return any(
        svc in (service, "*") and (source is None or source == arn or source.endswith("*"))
        for svc, source in sources
    )


@dataclass(slots=True)
class _Queue:
    arn: str = ""
    policy: str | None = None
    waiting: str = "?"


def describe_route(
    bucket: str, configuration: dict[str, Any], queue: _Queue, key: str
) -> str | None:
    """How the bucket's notifications reach the queue for ``key``, or None if they do not."""
    for entry in configuration.get("QueueConfigurations") or []:
        if entry.get("QueueArn") == queue.arn and admits(entry, key):
            return f"bucket {bucket} notifies the queue directly"
    sources = queue_policy_sources(queue.policy)
    for entry in configuration.get("TopicConfigurations") or []:
        topic = entry.get("TopicArn")
        if admits(entry, key) and _admitted(sources, "sns.amazonaws.com", topic):
            return f"bucket {bucket} notifies SNS topic {topic}, which the queue accepts"
    if configuration.get("EventBridgeConfiguration") is not None and any(
        svc == "events.amazonaws.com" for svc, _ in sources
    ):
        return f"bucket {bucket} sends its events to EventBridge, whose rule the queue accepts"
    return None


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


def _test_event_buckets(body: str) -> list[str]:
    """The bucket of an ``s3:TestEvent`` (as sent, or wrapped by SNS), which names no object."""
    try:
        document = json.loads(body)
        if isinstance(document, dict) and isinstance(document.get("Message"), str):
            document = json.loads(document["Message"])
    except ValueError:
        return []
    if isinstance(document, dict) and document.get("Event") == "s3:TestEvent":
        return [str(document["Bucket"])] if document.get("Bucket") else []
    return []


def _log_first(refs: list[ObjectRef]) -> list[ObjectRef]:
    """Log files before digests and anything else, as the test must read a real log."""
    return sorted(refs, key=lambda r: ("/CloudTrail/" not in r.key, "Digest" in r.key))


def check_connection(
    integration: Integration,
    clients: AwsClients | None = None,
    *,
    wait_seconds: int = 1,
    bucket: str | None = None,
) -> ConnectionReport:
    """Run the connection test for one integration (``bucket``: the one feeding the queue)."""
    report = ConnectionReport()
    try:
        clients = clients or AwsClients(integration.connection)
    except CredentialsError as error:
        report.steps.append(Step("credentials", False, str(error)))
        return report
    queue_url = integration.queue_url
    queue = _Queue()
    pending: list[ObjectRef] = []
    announced: list[str] = []  # buckets of s3:TestEvent messages

    def credentials() -> str:
        if integration.role_arn:
            clients.assume_role()
            return f"assumed {integration.role_arn}"
        identity = clients.sts().get_caller_identity()
        return f"using the default credential chain as {identity['Arn']}"

    def attributes() -> str:
        attrs = clients.sqs().get_queue_attributes(QueueUrl=queue_url, AttributeNames=["All"])[
            "Attributes"
        ]
        queue.arn = attrs.get("QueueArn", "")
        queue.policy = attrs.get("Policy")
        queue.waiting = attrs.get("ApproximateNumberOfMessages", "?")
        return f"{queue.waiting} messages waiting"

    def receive() -> str:
        messages = (
            clients.sqs()
            .receive_message(
                QueueUrl=queue_url,
                MaxNumberOfMessages=10,
                VisibilityTimeout=0,
                WaitTimeSeconds=wait_seconds,
            )
            .get("Messages", [])
        )
        for message in messages:
            body = message.get("Body", "")
            announced.extend(_test_event_buckets(body))
            try:
                pending.extend(parse_body(body).objects)
            except NotificationError:
                continue
        pending[:] = _log_first(pending)
        return f"received {len(messages)} messages (left in the queue)"

    def feeding_bucket() -> str | None:
        if bucket:
            return bucket
        if pending:
            return pending[0].bucket
        if announced:
            return announced[0]
        for service, source in queue_policy_sources(queue.policy):
            if service == "s3.amazonaws.com" and source and source.startswith("arn:"):
                return source.split(":::", 1)[-1]
        return None

    def route() -> str:
        name = feeding_bucket()
        if name is None:
            raise _NoBucket
        key = pending[0].key if pending else "AWSLogs/000000000000/CloudTrail/x/x.json.gz"
        configuration = clients.s3().get_bucket_notification_configuration(Bucket=name)
        found = describe_route(name, dict(configuration), queue, key)
        if found is None:
            raise _NoRoute(name)
        return found

    def read_object() -> str:
        ref = pending[0]
        try:
            response = clients.s3().get_object(Bucket=ref.bucket, Key=ref.key, Range="bytes=0-0")
        except Exception as error:
            if error_code(error) in {"NoSuchKey", "404"}:
                return f"{ref.uri} is gone already (a stale notification); access not checked"
            raise
        report.log_read = True
        if response.get("ServerSideEncryption") == "aws:kms":
            key_id = response.get("SSEKMSKeyId", "its KMS key")
            return f"read {ref.uri} (SSE-KMS: kms:Decrypt on {key_id} works)"
        return f"read {ref.uri}"

    try:
        _step(report, "credentials", credentials, _explain_credentials(integration.role_arn))
        _step(
            report,
            "queue attributes",
            attributes,
            _denied("sqs:GetQueueAttributes", queue_url, "add it to the role's policy"),
        )
        _step(
            report,
            "receive",
            receive,
            _denied(
                "sqs:ReceiveMessage",
                queue_url,
                "add it to the role's policy and check the queue policy",
            ),
        )
        _step(report, "bucket notification", route, _explain_route(queue_url))
        if pending:
            _step(report, "read object", read_object, _explain_object(pending[0]))
        else:
            report.steps.append(
                Step("read object", True, "no log delivered yet: the queue holds no log file")
            )
    except _Failed:
        pass
    return report


class _NoBucket(Exception):
    pass


class _NoRoute(Exception):
    def __init__(self, bucket: str) -> None:
        super().__init__(bucket)
        self.bucket = bucket


def _explain_route(queue_url: str) -> Callable[[BaseException], str]:
    def explain(error: BaseException) -> str:
        if isinstance(error, _NoBucket):
            return (
                "cannot tell which bucket feeds the queue: no waiting message nor the queue "
                "policy names one; give it with --bucket"
            )
        if isinstance(error, _NoRoute):
            return (
                f"bucket {error.bucket} does not notify {queue_url}: no queue entry for it, nor "
                "an SNS topic or EventBridge route the queue policy admits; run the setup's "
                "notification step (setup aws … --format cli --notification-only)"
            )
        if is_access_denied(error):
            return (
                "s3:GetBucketNotification denied: add it on the bucket to the role's policy "
                "(setup aws generates it) so the test can check the notifications"
            )
        if error_code(error) == "NoSuchBucket":
            return "the bucket feeding the queue does not exist: check --bucket"
        return f"s3:GetBucketNotification failed: {error_message(error)}"

    return explain
