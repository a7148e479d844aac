"""The connection test against moto with IAM enforced: trust policy, external ID, role policy."""

from __future__ import annotations

import os
from typing import Any

import orjson
import pytest

from tests.sources.conftest import Aws
from trailhound.sources.aws.clients import AwsClients, use_profile
from trailhound.sources.aws.connection_test import ESTABLISHED, NO_LOG_YET, check_connection
from trailhound.sources.aws.integrations import Integration
from trailhound.sources.aws.setup.policy import ReadTarget, queue_policy, read_policy, trust_policy

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
        "bucket notification",
        "read object",
    ]
    assert report.steps[3].detail == "bucket trail-bucket notifies the queue directly"
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
                "Action": [
                    "sqs:GetQueueAttributes",
                    "sqs:ReceiveMessage",
                    "s3:GetBucketNotification",
                ],
                "Resource": "*",
            }
        ],
    }
    url, role = _setup(aws, monkeypatch, policy=policy)
    message = _check(url, role).message
    assert message.startswith("s3:GetObject denied on s3://trail-bucket/AWSLogs/"), message


def test_missing_notification_permission(aws: Aws, monkeypatch: pytest.MonkeyPatch) -> None:
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Action": ["sqs:*", "s3:GetObject"], "Resource": "*"},
        ],
    }
    url, role = _setup(aws, monkeypatch, policy=policy)
    assert _check(url, role).message.startswith("s3:GetBucketNotification denied")


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
    report = _check(url, role)  # S3's test event names the bucket
    assert report.ok and report.message == NO_LOG_YET, report.steps
    assert report.steps[-1].detail == "no log delivered yet: the queue holds no log file"
    aws.enforce_iam(False)
    aws.client("sqs").purge_queue(QueueUrl=url)
    aws.enforce_iam(True)
    unknown = _check(url, role)  # an empty queue whose policy names no bucket
    assert unknown.message.startswith("cannot tell which bucket feeds the queue"), unknown.steps
    integration = Integration.create("t", url, role_arn=role, external_id=EXTERNAL_ID)
    assert check_connection(integration, bucket="trail-bucket").message == NO_LOG_YET


def test_a_bucket_that_notifies_another_queue_is_named(aws: Aws) -> None:
    url, arn = aws.queue("ours")
    other_url = aws.bucket_to_queue("trail-bucket")  # notifies its own queue, not ours
    aws.client("sqs").set_queue_attributes(
        QueueUrl=url,
        Attributes={
            "Policy": orjson.dumps(
                queue_policy(arn, "arn:aws:s3:::trail-bucket", "111122223333")
            ).decode()
        },
    )
    report = check_connection(Integration.create("t", url))
    assert report.message.startswith(f"bucket trail-bucket does not notify {url}"), report.steps
    assert other_url != url


def test_the_sns_route_is_recognised(aws: Aws) -> None:
    url, topic = aws.bucket_to_topic_to_queue()
    arn = aws.client("sqs").get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])[
        "Attributes"
    ]["QueueArn"]
    policy = queue_policy(
        arn, "arn:aws:s3:::trail-bucket", "111122223333", route="sns", source_arn=topic
    )
    aws.client("sqs").set_queue_attributes(
        QueueUrl=url, Attributes={"Policy": orjson.dumps(policy).decode()}
    )
    aws.put_logs("trail-bucket", count=1, per_object=1)
    report = check_connection(Integration.create("t", url))
    assert report.message == ESTABLISHED, report.steps
    assert report.steps[3].detail == (
        f"bucket trail-bucket notifies SNS topic {topic}, which the queue accepts"
    )


# Credentials the AWS way --------------------------------------------------------------------


@pytest.mark.usefixtures("aws")
def test_a_mistyped_profile_is_one_line(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    config = tmp_path / "config"
    config.write_text("[profile prod]\nregion = us-east-1\n")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    monkeypatch.setenv("AWS_PROFILE", "prdo")
    report = check_connection(Integration.create("t", "https://sqs.us-east-1.amazonaws.com/1/q"))
    assert [s.ok for s in report.steps] == [False]
    assert "\n" not in report.message
    assert report.message.startswith("AWS profile 'prdo' is not in ~/.aws/config")
    assert "(profiles: prod)" in report.message
    with pytest.raises(Exception, match="AWS profile 'nope'"):
        use_profile("nope")


@pytest.mark.usefixtures("aws")
def test_no_base_credentials_do_not_ask_for_the_role_again(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    role = "arn:aws:iam::111122223333:role/trailhound-reader"
    report = _check("https://sqs.us-east-1.amazonaws.com/1/q", role)
    assert report.message.startswith(f"no base AWS credentials to assume {role} with: set")
    assert "role ARN" not in report.message


def test_per_service_endpoints_are_respected(aws: Aws, monkeypatch: pytest.MonkeyPatch) -> None:
    url = aws.bucket_to_queue()
    aws.put_logs("trail-bucket", count=1, per_object=1)
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")  # nothing listens there
    for service in ("SQS", "S3", "STS"):
        monkeypatch.setenv(f"AWS_ENDPOINT_URL_{service}", aws.endpoint)
    report = check_connection(Integration.create("t", url))
    assert report.message == ESTABLISHED, report.steps


def test_a_profile_with_a_role_and_external_id_is_assumed_by_botocore(
    aws: Aws, monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    url, role = _setup(aws, monkeypatch)
    config = tmp_path / "config"
    config.write_text(
        "[profile operator]\n"
        f"aws_access_key_id = {os.environ['AWS_ACCESS_KEY_ID']}\n"
        f"aws_secret_access_key = {os.environ['AWS_SECRET_ACCESS_KEY']}\n"
        "[profile customer]\n"
        f"role_arn = {role}\nexternal_id = {EXTERNAL_ID}\nsource_profile = operator\n"
        "[profile guessed]\n"
        f"role_arn = {role}\nexternal_id = th-guessed\nsource_profile = operator\n"
    )
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    monkeypatch.setenv("AWS_PROFILE", "operator")  # so that the test's end restores it
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    use_profile("customer")
    report = _check(url, None, None)
    assert report.message == ESTABLISHED, report.steps
    assert ":assumed-role/trailhound-reader/" in report.steps[0].detail
    use_profile("guessed")
    assert not _check(url, None, None).ok


def test_role_credentials_are_refreshable(aws: Aws, monkeypatch: pytest.MonkeyPatch) -> None:
    url, role = _setup(aws, monkeypatch)
    clients = AwsClients(
        Integration.create("t", url, role_arn=role, external_id=EXTERNAL_ID).connection
    )
    credentials = clients.session().get_credentials()
    assert credentials.method == "trailhound-assume-role"
    first = credentials.get_frozen_credentials().access_key
    assert first != os.environ["AWS_ACCESS_KEY_ID"]
    credentials._expiry_time = credentials._expiry_time.replace(year=2000)  # force a refresh
    assert credentials.get_frozen_credentials().access_key != first
