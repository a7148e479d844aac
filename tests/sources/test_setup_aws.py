"""The setup generator: the template deploys on moto's CloudFormation and the collector reads it."""

from __future__ import annotations

import json
from typing import Any

import orjson
import pytest
import yaml

from tests.sources.conftest import ACCOUNT, Aws
from trailhound.data_dir import DataDir
from trailhound.setup_aws.cli_script import build_script
from trailhound.setup_aws.cloudformation import (
    SetupError,
    SetupOptions,
    build_template,
    event_selectors,
    render,
)
from trailhound.setup_aws.policy import ReadTarget, generate_external_id, read_policy
from trailhound.sources.integrations import Integration, IntegrationStore
from trailhound.sources.sqs_collector import CollectorOptions, SqsCollector
from trailhound.store.engine import QueryEngine
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
    collector = SqsCollector(data_dir, integration, options=CollectorOptions(drain_wait_seconds=1))
    try:
        summary = collector.run(once=True)
    finally:
        collector.close()
    assert summary.objects == 3
    with QueryEngine(data_dir) as engine:
        assert engine.execute("SELECT count(*) FROM cloudtrail")[1][0][0] == 12
