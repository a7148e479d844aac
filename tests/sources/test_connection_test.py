"""The connection test against moto with IAM enforced: trust policy, external ID, role policy."""

from __future__ import annotations

from typing import Any

import orjson
import pytest

from tests.sources.conftest import Aws
from trailhound.setup_aws.policy import ReadTarget, read_policy, trust_policy
from trailhound.sources.connection_test import ESTABLISHED, check_connection
from trailhound.sources.integrations import Integration

pytestmark = pytest.mark.aws
EXTERNAL_ID = "th-test-external-id-0123456789"


def _setup(
    aws: Aws,
    monkeypatch: pytest.MonkeyPatch,
    *,
    policy: dict[str, Any] | None = None,
    upload: bool = True,
) -> tuple[str, str]:
    """An operator user allowed to assume a customer role; returns (queue URL, role ARN)."""
    url = aws.bucket_to_queue()
    if upload:
        aws.put_logs("trail-bucket", count=1, per_object=1)
    iam = aws.client("iam")
    user = iam.create_user(UserName="operator")["User"]["Arn"]
    iam.put_user_policy(
        UserName="operator",
        PolicyName="assume",
        PolicyDocument=orjson.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"}],
            }
        ).decode(),
    )
    key = iam.create_access_key(UserName="operator")["AccessKey"]
    queue_arn = aws.client("sqs").get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])[
        "Attributes"
    ]["QueueArn"]
    role = iam.create_role(
        RoleName="trailhound-reader",
        AssumeRolePolicyDocument=orjson.dumps(trust_policy(user, EXTERNAL_ID)).decode(),
    )["Role"]["Arn"]
    document = policy or read_policy(ReadTarget(queue_arn, "arn:aws:s3:::trail-bucket"))
    iam.put_role_policy(
        RoleName="trailhound-reader",
        PolicyName="read",
        PolicyDocument=orjson.dumps(document).decode(),
    )
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", key["AccessKeyId"])
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", key["SecretAccessKey"])
    monkeypatch.delenv("AWS_SESSION_TOKEN")
    aws.enforce_iam(True)
    return url, role


def _check(url: str, role: str | None, external_id: str | None = EXTERNAL_ID) -> Any:
    return check_connection(Integration.create("t", url, role_arn=role, external_id=external_id))


def test_connection_established(aws: Aws, monkeypatch: pytest.MonkeyPatch) -> None:
    url, role = _setup(aws, monkeypatch)
    report = _check(url, role)
    assert report.message == ESTABLISHED, report.steps
    assert [s.name for s in report.steps] == [
        "credentials",
        "queue attributes",
        "receive",
        "read object",
    ]
    assert report.steps[-1].detail.startswith("read s3://trail-bucket/AWSLogs/")


def test_wrong_external_id_is_refused(aws: Aws, monkeypatch: pytest.MonkeyPatch) -> None:
    url, role = _setup(aws, monkeypatch)
    report = _check(url, role, external_id="th-guessed")
    assert report.message == "sts:AssumeRole denied: check the role's trust policy and external ID"
    assert [s.ok for s in report.steps] == [False]


def test_missing_queue_permission(aws: Aws, monkeypatch: pytest.MonkeyPatch) -> None:
    policy = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "sqs:ReceiveMessage", "Resource": "*"}],
    }
    url, role = _setup(aws, monkeypatch, policy=policy)
    report = _check(url, role)
    assert report.message.startswith(f"sqs:GetQueueAttributes denied on {url}")


def test_missing_receive_permission(aws: Aws, monkeypatch: pytest.MonkeyPatch) -> None:
    policy = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "sqs:GetQueueAttributes", "Resource": "*"}],
    }
    url, role = _setup(aws, monkeypatch, policy=policy)
    assert _check(url, role).message.startswith(f"sqs:ReceiveMessage denied on {url}")


def test_missing_object_permission(aws: Aws, monkeypatch: pytest.MonkeyPatch) -> None:
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": ["sqs:GetQueueAttributes", "sqs:ReceiveMessage"],
                "Resource": "*",
            }
        ],
    }
    url, role = _setup(aws, monkeypatch, policy=policy)
    message = _check(url, role).message
    assert message.startswith("s3:GetObject denied on s3://trail-bucket/AWSLogs/"), message


def test_missing_queue(aws: Aws, monkeypatch: pytest.MonkeyPatch) -> None:
    policy = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "sqs:*", "Resource": "*"}],
    }
    url, role = _setup(aws, monkeypatch, policy=policy)
    missing = url.rsplit("/", 1)[0] + "/no-such-queue"
    assert _check(missing, role).message == (
        f"queue {missing} does not exist: check the queue URL and the region"
    )


def test_no_pending_object_is_not_a_failure(aws: Aws, monkeypatch: pytest.MonkeyPatch) -> None:
    url, role = _setup(aws, monkeypatch, upload=False)
    report = _check(url, role)
    assert report.ok
    assert "not checked" in report.steps[-1].detail or "read s3://" in report.steps[-1].detail
