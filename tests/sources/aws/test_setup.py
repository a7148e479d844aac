"""The setup generator: the template deploys on moto's CloudFormation and the collector reads it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import orjson
import pytest
import yaml

from tests.sources.aws_cli import AwsCli
from tests.sources.conftest import ACCOUNT, Aws
from trailhound.collect import collect
from trailhound.data_dir import DataDir
from trailhound.sources.aws.integrations import Integration
from trailhound.sources.aws.setup import bucket_notification
from trailhound.sources.aws.setup.cli_script import build_policies, build_script
from trailhound.sources.aws.setup.cloudformation import (
    SetupError,
    SetupOptions,
    build_template,
    event_selectors,
    render,
)
from trailhound.sources.aws.setup.policy import ReadTarget, generate_external_id, read_policy
from trailhound.sources.aws.setup.teardown import build_teardown
from trailhound.sources.aws.sqs import CollectorOptions
from trailhound.store.engine import QueryEngine
from trailhound.store.integrations import IntegrationStore
from trailhound.store.state import StateDB

OPERATOR = "999988887777"


def _statements(document: dict[str, Any]) -> list[dict[str, Any]]:
    return list(document["Statement"])


def test_external_ids_are_random_and_long() -> None:
    ids = {generate_external_id() for _ in range(50)}
    assert len(ids) == 50
    assert min(len(i) for i in ids) >= 40


def test_role_trusts_only_the_operator_with_the_external_id() -> None:
    template = build_template(SetupOptions(ACCOUNT, OPERATOR, external_id="x" * 20))
    role = template["Resources"]["ReaderRole"]["Properties"]
    [trust] = _statements(role["AssumeRolePolicyDocument"])
    assert trust["Principal"] == {"AWS": f"arn:aws:iam::{OPERATOR}:root"}
    assert trust["Action"] == "sts:AssumeRole"
    assert trust["Condition"] == {"StringEquals": {"sts:ExternalId": {"Ref": "ExternalId"}}}
    assert template["Parameters"]["ExternalId"]["NoEcho"] is True
    actions = sorted(
        a
        for s in _statements(role["Policies"][0]["PolicyDocument"])
        for a in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"])
    )
    assert actions == [
        "s3:GetBucketNotification",  # the connection test checks the bucket's notifications
        "s3:GetObject",
        "sqs:ChangeMessageVisibility",
        "sqs:DeleteMessage",
        "sqs:GetQueueAttributes",
        "sqs:ReceiveMessage",
    ]
    assert "x" * 20 not in render(template)  # the secret is a parameter, not in the text


def test_kms_adds_decrypt_and_organization_sets_the_trail() -> None:
    options = SetupOptions(
        ACCOUNT, OPERATOR, organization_id="o-abcdefghij", kms=True, network_activity="denied"
    )
    template = build_template(options)
    trail = template["Resources"]["Trail"]["Properties"]
    assert trail["IsOrganizationTrail"] is True and trail["KMSKeyId"]
    assert trail["EnableLogFileValidation"] is True
    policy = template["Resources"]["ReaderRole"]["Properties"]["Policies"][0]["PolicyDocument"]
    assert any(s["Action"] == "kms:Decrypt" for s in _statements(policy))
    assert yaml.safe_load(render(template, "yaml")) == json.loads(render(template))
    denied = event_selectors("denied")[1]["FieldSelectors"]
    assert {"Field": "errorCode", "Equals": ["VpceAccessDenied"]} in denied


def test_bad_options_are_refused() -> None:
    with pytest.raises(SetupError):
        SetupOptions("123", OPERATOR)
    with pytest.raises(SetupError):
        SetupOptions(ACCOUNT, OPERATOR, network_activity="some")


def test_cli_script_and_policy_agree() -> None:
    options = SetupOptions(ACCOUNT, OPERATOR, existing_bucket="corp-trail", kms=False)
    script = build_script(options, region="eu-west-1")
    assert script.startswith("#!/usr/bin/env bash\nset -euo pipefail")
    assert "aws s3api put-bucket-notification-configuration" in script
    assert "aws cloudtrail create-trail" not in script  # an existing bucket keeps its trail
    assert options.external_id in script
    policy = read_policy(
        ReadTarget(
            f"arn:aws:sqs:eu-west-1:{ACCOUNT}:trailhound-cloudtrail", "arn:aws:s3:::corp-trail"
        )
    )
    assert json.dumps(policy, indent=2) in script


@pytest.mark.aws
@pytest.mark.filterwarnings("ignore:Tried to parse AWS::")  # moto skips types it lacks
def test_template_deploys_and_the_collector_reads_what_it_made(aws: Aws, data_dir: DataDir) -> None:
    options = SetupOptions("123456789012", OPERATOR, kms=True)
    cfn = aws.client("cloudformation")
    cfn.create_stack(
        StackName="trailhound",
        TemplateBody=render(build_template(options)),
        Parameters=[{"ParameterKey": "ExternalId", "ParameterValue": options.external_id}],
        Capabilities=["CAPABILITY_NAMED_IAM"],
    )
    stack = cfn.describe_stacks(StackName="trailhound")["Stacks"][0]
    assert stack["StackStatus"] == "CREATE_COMPLETE"
    outputs = {o["OutputKey"]: o["OutputValue"] for o in stack["Outputs"]}
    # The QueueUrl output names the real AWS host (a moto quirk): ask for the local URL.
    queue_name = outputs["QueueUrl"].rsplit("/", 1)[-1]
    sqs = aws.client("sqs")
    url = sqs.get_queue_url(QueueName=queue_name)["QueueUrl"]
    role = aws.client("iam").get_role(RoleName=outputs["RoleArn"].rsplit("/", 1)[-1])["Role"]
    trust = role["AssumeRolePolicyDocument"]
    trust = orjson.loads(trust) if isinstance(trust, str) else trust
    assert trust["Statement"][0]["Condition"]["StringEquals"]["sts:ExternalId"] == (
        options.external_id
    )
    # moto's CloudFormation neither wires bucket notifications nor runs trails: apply the
    # template's own notification through the S3 API, then deliver log files ourselves.
    bucket = outputs["BucketName"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    s3 = aws.client("s3")
    notification = build_template(options)["Resources"]["LogBucket"]["Properties"][
        "NotificationConfiguration"
    ]["QueueConfigurations"][0]
    s3.put_bucket_notification_configuration(
        Bucket=bucket,
        NotificationConfiguration={
            "QueueConfigurations": [
                {
                    "QueueArn": queue_arn,
                    "Events": [notification["Event"]],
                    "Filter": {"Key": {"FilterRules": notification["Filter"]["S3Key"]["Rules"]}},
                }
            ]
        },
    )
    aws.put_logs(bucket, count=3, per_object=4)
    s3.put_object(Bucket=bucket, Key="elsewhere/not-a-log.json", Body=b"{}")  # outside the prefix
    store = IntegrationStore(StateDB(data_dir.state_db))
    integration = store.add(
        Integration.create(
            "stack", url, role_arn=outputs["RoleArn"], external_id=options.external_id
        )
    )
    collecting = CollectorOptions(drain_wait_seconds=1)
    summary = collect(data_dir, [integration], once=True, options=collecting)["stack"]
    assert summary.objects == 3
    with QueryEngine(data_dir) as engine:
        assert engine.execute("SELECT count(*) FROM cloudtrail")[1][0][0] == 12


# Options, selectors, names ----------------------------------------------------------------


def test_network_activity_selectors_are_validated_and_reach_every_format() -> None:
    options = SetupOptions(
        ACCOUNT,
        OPERATOR,
        selectors=(
            "eventSource=s3.amazonaws.com|kms.amazonaws.com,vpcEndpointId!=vpce-0abc12345678",
            "eventSource=ec2.amazonaws.com,errorCode=VpceAccessDenied,eventName=RunInstances",
        ),
    )
    expected = {
        "Name": "Network activity: kms.amazonaws.com",
        "FieldSelectors": [
            {"Field": "eventCategory", "Equals": ["NetworkActivity"]},
            {"Field": "eventSource", "Equals": ["kms.amazonaws.com"]},
            {"Field": "vpcEndpointId", "NotEquals": ["vpce-0abc12345678"]},
        ],
    }
    selectors = build_template(options)["Resources"]["Trail"]["Properties"][
        "AdvancedEventSelectors"
    ]
    assert [s["Name"].rsplit(" ", 1)[-1] for s in selectors[1:]] == [
        "s3.amazonaws.com",
        "kms.amazonaws.com",
        "ec2.amazonaws.com",
    ]
    assert expected in selectors
    assert json.dumps(expected, indent=2).replace("\n", "\n    ") in build_script(options) or (
        '"vpce-0abc12345678"' in build_script(options)
    )
    assert expected in build_policies(options, "us-east-1")["advanced_event_selectors"]
    for bad, reason in [
        ("eventSource=sqs.amazonaws.com", "does not log network activity"),
        ("vpcEndpointId=vpce-0abc12345678", "needs eventSource"),
        ("eventSource=s3.amazonaws.com,errorCode=AccessDenied", "only VpceAccessDenied"),
        ("eventSource!=s3.amazonaws.com", "only equals"),
        ("eventSource=s3.amazonaws.com,resources.type=x", "expected field=value"),
        ("eventSource=s3.amazonaws.com,readOnly=true", "unknown field"),
        ("eventSource=s3.amazonaws.com,vpcEndpointId=vpc-1", "not a valid vpcEndpointId"),
        ("eventSource=s3.amazonaws.com,eventName=A,eventName!=B", "both = and !="),
    ]:
        with pytest.raises(SetupError, match=reason):
            SetupOptions(ACCOUNT, OPERATOR, selectors=(bad,))
    with pytest.raises(SetupError, match="not both"):
        SetupOptions(
            ACCOUNT, OPERATOR, network_activity="all", selectors=("eventSource=s3.amazonaws.com",)
        )


def test_names_take_the_prefix_and_the_logs_outlive_the_stack() -> None:
    first = build_template(SetupOptions(ACCOUNT, OPERATOR, kms=True))
    second = build_template(SetupOptions(ACCOUNT, OPERATOR, kms=True, name="audit"))

    def names(template: dict[str, Any]) -> set[str]:
        r = template["Resources"]
        return {
            r["NotificationQueue"]["Properties"]["QueueName"],
            r["DeadLetterQueue"]["Properties"]["QueueName"],
            r["ReaderRole"]["Properties"]["RoleName"],
            r["Trail"]["Properties"]["TrailName"],
            r["LogBucket"]["Properties"]["BucketName"]["Fn::Sub"],
            r["LogKeyAlias"]["Properties"]["AliasName"],
        }

    assert not names(first) & names(second)
    assert all(n.startswith(("audit", "alias/audit")) for n in names(second))
    for resource in ("LogBucket", "LogKey"):
        assert first["Resources"][resource]["DeletionPolicy"] == "Retain"
        assert first["Resources"][resource]["UpdateReplacePolicy"] == "Retain"
    with pytest.raises(SetupError, match="name prefix"):
        SetupOptions(ACCOUNT, OPERATOR, name="Bad_Prefix")


def test_existing_bucket_template_names_its_notification_step_or_subscribes() -> None:
    direct = build_template(SetupOptions(ACCOUNT, OPERATOR, existing_bucket="corp-trail"))
    assert "LogBucket" not in direct["Resources"] and "Trail" not in direct["Resources"]
    step = direct["Outputs"]["BucketNotificationStep"]["Value"]["Fn::Sub"]
    assert "--existing-bucket corp-trail --region ${AWS::Region}" in step
    assert "--notification-only" in step and "BucketNotificationStep" in direct["Description"]
    topic = f"arn:aws:sns:us-east-1:{ACCOUNT}:corp-trail-events"
    fanout = build_template(
        SetupOptions(
            ACCOUNT, OPERATOR, existing_bucket="corp-trail", route="sns", existing_topic=topic
        )
    )
    assert "BucketNotificationStep" not in fanout["Outputs"]  # nothing to add to the bucket
    assert fanout["Resources"]["TopicSubscription"]["Properties"]["TopicArn"] == topic
    queue_policy = fanout["Resources"]["NotificationQueuePolicy"]["Properties"]["PolicyDocument"]
    [statement] = queue_policy["Statement"]
    assert statement["Principal"] == {"Service": "sns.amazonaws.com"}
    assert statement["Condition"]["ArnEquals"]["aws:SourceArn"] == topic
    with pytest.raises(SetupError, match="--existing-bucket and --existing-topic"):
        SetupOptions(ACCOUNT, OPERATOR, route="sns")


def test_cfn_lint_accepts_the_templates(tmp_path: Path) -> None:
    topic = f"arn:aws:sns:us-east-1:{ACCOUNT}:corp-trail-events"
    key = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    variants = {
        "default": SetupOptions(ACCOUNT, OPERATOR),
        "org-kms-selectors": SetupOptions(
            ACCOUNT,
            OPERATOR,
            organization_id="o-abcdefghij",
            kms=True,
            selectors=("eventSource=s3.amazonaws.com,vpcEndpointId!=vpce-0abc12345678",),
        ),
        "eventbridge-denied": SetupOptions(
            ACCOUNT, OPERATOR, route="eventbridge", network_activity="denied", name="audit"
        ),
        "existing-bucket": SetupOptions(
            ACCOUNT, OPERATOR, existing_bucket="corp-trail", kms_key_arn=key
        ),
        "existing-topic": SetupOptions(
            ACCOUNT, OPERATOR, existing_bucket="corp-trail", route="sns", existing_topic=topic
        ),
        "existing-queue-and-trail": SetupOptions(
            ACCOUNT,
            OPERATOR,
            existing_bucket="corp-trail",
            existing_trail="corp",
            existing_queue=f"arn:aws:sqs:us-east-1:{ACCOUNT}:feed",
            route="eventbridge",
            network_activity="denied",
        ),
        "new-bucket-existing-queue": SetupOptions(
            ACCOUNT, OPERATOR, existing_queue=f"https://sqs.us-east-1.amazonaws.com/{ACCOUNT}/feed"
        ),
    }
    files = []
    for name, options in variants.items():
        path = tmp_path / f"{name}.{'yaml' if name == 'default' else 'json'}"
        path.write_text(render(build_template(options), path.suffix[1:]))
        files.append(str(path))
    lint = Path(sys.executable).parent / "cfn-lint"
    result = subprocess.run(
        [str(lint), "--regions", "us-east-1", "--", *files], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr


# Bucket notifications beside other consumers' ---------------------------------------------

OTHER = {
    "Id": "siem",
    "QueueArn": "arn:aws:sqs:us-east-1:123456789012:siem",
    "Events": ["s3:ObjectCreated:Put"],
    "Filter": {"Key": {"FilterRules": [{"Name": "Prefix", "Value": "exports/"}]}},
}
QUEUE = "arn:aws:sqs:us-east-1:123456789012:trailhound-cloudtrail"


def test_our_notification_goes_beside_the_others_and_leaves_alone() -> None:
    current = {
        "QueueConfigurations": [OTHER],
        "LambdaFunctionConfigurations": [
            {
                "LambdaFunctionArn": "arn:aws:lambda:us-east-1:123456789012:function:f",
                "Events": ["s3:ObjectRemoved:*"],
            }
        ],
        "ResponseMetadata": {"HTTPStatusCode": 200},
    }
    merged = bucket_notification.add(current, "trailhound-cloudtrail", queue_arn=QUEUE)
    assert [e["Id"] for e in merged["QueueConfigurations"]] == ["siem", "trailhound-cloudtrail"]
    assert merged["LambdaFunctionConfigurations"] == current["LambdaFunctionConfigurations"]
    assert "ResponseMetadata" not in merged
    again = bucket_notification.add(merged, "trailhound-cloudtrail", queue_arn=QUEUE)
    assert again == merged  # a second run replaces only our own entry
    removed = bucket_notification.remove(again, "trailhound-cloudtrail")
    assert [e["Id"] for e in removed["QueueConfigurations"]] == ["siem"]
    assert removed["LambdaFunctionConfigurations"] == current["LambdaFunctionConfigurations"]
    with_eventbridge = bucket_notification.add(current, "x", eventbridge=True)
    assert with_eventbridge["EventBridgeConfiguration"] == {}
    assert with_eventbridge["QueueConfigurations"] == [
        OTHER | {"Filter": {"Key": {"FilterRules": [{"Name": "prefix", "Value": "exports/"}]}}}
    ]


def test_an_overlapping_notification_is_refused_with_the_routes_that_work() -> None:
    topic = "arn:aws:sns:us-east-1:123456789012:all-objects"
    current = {"TopicConfigurations": [{"TopicArn": topic, "Events": ["s3:ObjectCreated:*"]}]}
    with pytest.raises(bucket_notification.NotificationConflict) as refused:
        bucket_notification.add(current, "ours", queue_arn=QUEUE, bucket="corp-trail")
    message = str(refused.value)
    assert f"bucket corp-trail already notifies SNS topic {topic}" in message
    assert "nothing was changed" in message and "--route eventbridge" in message
    assert f"--route sns --existing-topic {topic}" in message
    suffix_only = {
        "QueueConfigurations": [
            OTHER | {"Filter": {"Key": {"FilterRules": [{"Name": "suffix", "Value": ".gz"}]}}}
        ]
    }
    with pytest.raises(bucket_notification.NotificationConflict):
        bucket_notification.add(suffix_only, "ours", queue_arn=QUEUE)
    elsewhere = {"QueueConfigurations": [OTHER]}  # exports/ never overlaps AWSLogs/
    assert bucket_notification.add(elsewhere, "ours", queue_arn=QUEUE)
    removals = {"QueueConfigurations": [OTHER | {"Events": ["s3:ObjectRemoved:*"], "Filter": {}}]}
    assert bucket_notification.add(removals, "ours", queue_arn=QUEUE)


# The generated scripts, run with the real AWS CLI against moto --------------------------

MOTO_ACCOUNT = "123456789012"  # the account moto's credentials belong to


@pytest.fixture(scope="module")
def aws_cli(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AwsCli]:
    """The AWS CLI (through its fork server) for the script tests of this module."""
    cli = AwsCli(tmp_path_factory.mktemp("aws-cli"))
    yield cli
    cli.close()


def _environment() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(
        {
            k: os.environ[k]
            for k in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_ENDPOINT_URL")
        }
    )
    return env | {"AWS_MAX_ATTEMPTS": "2", "AWS_CONFIG_FILE": "/dev/null"}


def _account_state(aws: Aws) -> dict[str, Any]:
    """What the scripts could leave behind, in a comparable form."""
    kms = aws.client("kms")
    keys = [
        kms.describe_key(KeyId=k["KeyId"])["KeyMetadata"]["KeyState"]
        for k in kms.list_keys()["Keys"]
    ]
    return {
        "buckets": sorted(b["Name"] for b in aws.client("s3").list_buckets()["Buckets"]),
        "queues": sorted(aws.client("sqs").list_queues().get("QueueUrls", [])),
        "roles": sorted(r["RoleName"] for r in aws.client("iam").list_roles()["Roles"]),
        "trails": sorted(t["Name"] for t in aws.client("cloudtrail").list_trails()["Trails"]),
        "aliases": sorted(
            a["AliasName"]
            for a in kms.list_aliases()["Aliases"]
            if not a["AliasName"].startswith("alias/aws/")
        ),
        "usable keys": [k for k in keys if k != "PendingDeletion"],
    }


@pytest.mark.aws
def test_cli_script_runs_twice_and_its_teardown_leaves_the_account_as_it_was(
    aws: Aws, aws_cli: AwsCli, tmp_path: Path
) -> None:
    options = SetupOptions(
        MOTO_ACCOUNT,
        OPERATOR,
        kms=True,
        name="thtest",
        selectors=("eventSource=s3.amazonaws.com,vpcEndpointId!=vpce-0abc12345678",),
    )
    env = _environment()
    before = _account_state(aws)
    wrong = aws_cli.run(build_script(replace(options, account=ACCOUNT)), env, tmp_path)
    assert wrong.returncode == 2
    assert f"belong to account {MOTO_ACCOUNT}, not {ACCOUNT}" in wrong.stderr
    assert _account_state(aws) == before  # refused before creating anything

    script = build_script(options)
    for run in range(2):
        result = aws_cli.run(script, env, tmp_path)
        assert result.returncode == 0, f"run {run + 1}: {result.stdout}\n{result.stderr}"
    assert "bucket thtest-cloudtrail-123456789012-us-east-1: exists, settings updated" in (
        result.stdout
    )
    bucket = f"thtest-cloudtrail-{MOTO_ACCOUNT}-us-east-1"
    [entry] = aws.client("s3").get_bucket_notification_configuration(Bucket=bucket)[
        "QueueConfigurations"
    ]
    assert entry["Id"] == "thtest-cloudtrail"
    assert entry["QueueArn"].endswith(":thtest-cloudtrail")
    selectors = aws.client("cloudtrail").get_event_selectors(TrailName="thtest")
    assert {"Field": "vpcEndpointId", "NotEquals": ["vpce-0abc12345678"]} in selectors[
        "AdvancedEventSelectors"
    ][1]["FieldSelectors"]
    role = aws.client("iam").get_role_policy(RoleName="thtest-reader", PolicyName="read-cloudtrail")
    document = role["PolicyDocument"]
    document = orjson.loads(document) if isinstance(document, str) else document
    decrypt = [s for s in document["Statement"] if s["Action"] == "kms:Decrypt"]
    assert decrypt[0]["Resource"].startswith(f"arn:aws:kms:us-east-1:{MOTO_ACCOUNT}:key/")

    # Keeping the logs (the bucket loses only our notification) is the existing-bucket test's
    # path; here the teardown deletes them too, so the account is exactly as before.
    deleted = aws_cli.run(build_teardown(options, delete_logs=True), env, tmp_path)
    assert deleted.returncode == 0, deleted.stdout + deleted.stderr
    assert "deleted with its logs" in deleted.stdout
    assert _account_state(aws) == before


@pytest.mark.aws
def test_an_existing_bucket_keeps_the_other_consumers_notification(
    aws: Aws, aws_cli: AwsCli, tmp_path: Path
) -> None:
    s3 = aws.client("s3")
    _, siem_arn = aws.queue("siem")
    s3.create_bucket(Bucket="corp-trail")
    exports = {"Key": {"FilterRules": [{"Name": "prefix", "Value": "exports/"}]}}
    other = OTHER | {"QueueArn": siem_arn, "Filter": exports}
    s3.put_bucket_notification_configuration(
        Bucket="corp-trail", NotificationConfiguration={"QueueConfigurations": [other]}
    )
    s3.create_bucket(Bucket="busy-trail")
    s3.put_bucket_notification_configuration(
        Bucket="busy-trail",
        NotificationConfiguration={
            "QueueConfigurations": [{"QueueArn": siem_arn, "Events": ["s3:ObjectCreated:*"]}]
        },
    )
    env = _environment()
    before = _account_state(aws)
    busy = SetupOptions(MOTO_ACCOUNT, OPERATOR, existing_bucket="busy-trail")
    refused = aws_cli.run(build_script(busy), env, tmp_path)
    assert refused.returncode == 3
    assert "S3 refuses a second notification" in refused.stderr
    assert "--route eventbridge" in refused.stderr
    assert _account_state(aws) == before  # nothing was created

    options = SetupOptions(MOTO_ACCOUNT, OPERATOR, existing_bucket="corp-trail")
    result = aws_cli.run(build_script(options), env, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    entries = s3.get_bucket_notification_configuration(Bucket="corp-trail")["QueueConfigurations"]
    assert sorted(e["Id"] for e in entries) == ["siem", "trailhound-cloudtrail"]
    assert next(e for e in entries if e["Id"] == "siem")["QueueArn"] == siem_arn
    teardown = aws_cli.run(build_teardown(options), env, tmp_path)
    assert teardown.returncode == 0, teardown.stdout + teardown.stderr
    [kept] = s3.get_bucket_notification_configuration(Bucket="corp-trail")["QueueConfigurations"]
    assert kept["Id"] == "siem" and kept["QueueArn"] == siem_arn
    assert _account_state(aws) == before
