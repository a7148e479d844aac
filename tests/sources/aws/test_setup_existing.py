"""Setup on resources that were there before it: an existing queue, trail, topic and bucket.

The generated scripts run twice with the real AWS CLI against moto, then their teardown twice,
and the account (buckets and their notifications, queues with their policies and tags, SNS
subscriptions, EventBridge rules, trails with their selectors, roles) must be as it was.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from tests.sources.aws_cli import AwsCli
from tests.sources.conftest import Aws
from trailhound.sources.aws.connection_test import check_connection, queue_policy_sources
from trailhound.sources.aws.integrations import Integration
from trailhound.sources.aws.setup import bucket_notification, shared_documents
from trailhound.sources.aws.setup.cli_script import (
    build_notification_script,
    build_policies,
    build_script,
)
from trailhound.sources.aws.setup.cloudformation import build_template, render
from trailhound.sources.aws.setup.options import SetupError, SetupOptions, names_for, parse_queue
from trailhound.sources.aws.setup.teardown import build_teardown

ACCOUNT = "123456789012"  # the account moto's credentials belong to
OPERATOR = "999988887777"
REGION = "us-east-1"
QUEUE_ARN = f"arn:aws:sqs:{REGION}:{ACCOUNT}:trail-feed"
OTHERS = {
    "Sid": "SiemAccountReads",
    "Effect": "Allow",
    "Principal": {"AWS": "arn:aws:iam::444455556666:root"},
    "Action": "sqs:ReceiveMessage",
    "Resource": QUEUE_ARN,
}


# Pure parts: options, documents, the template -------------------------------------------


def test_queue_arns_and_urls_are_parsed_and_checked() -> None:
    assert parse_queue(QUEUE_ARN) == (REGION, ACCOUNT, "trail-feed")
    assert parse_queue(f"http://127.0.0.1:5000/{ACCOUNT}/trail-feed") == (
        None,
        ACCOUNT,
        "trail-feed",
    )
    options = SetupOptions(ACCOUNT, OPERATOR, existing_queue=QUEUE_ARN)
    names = names_for(options, REGION)
    assert names.queue == "trail-feed" and names.existing_queue
    with pytest.raises(SetupError, match="give --region us-east-1"):
        names_for(options, "eu-west-1")
    with pytest.raises(SetupError, match="in account 444455556666"):
        SetupOptions(ACCOUNT, OPERATOR, existing_queue=QUEUE_ARN.replace(ACCOUNT, "444455556666"))
    with pytest.raises(SetupError, match="not an SQS queue"):
        SetupOptions(ACCOUNT, OPERATOR, existing_queue="trail-feed")
    with pytest.raises(SetupError, match="needs the trail's bucket"):
        SetupOptions(ACCOUNT, OPERATOR, existing_trail="corp")
    with pytest.raises(SetupError, match="--kms creates a key"):
        SetupOptions(
            ACCOUNT, OPERATOR, existing_trail="corp", existing_bucket="corp-trail", kms=True
        )


def test_our_statement_and_selectors_join_the_others_and_leave_alone() -> None:
    current = {
        "Attributes": {"Policy": json.dumps({"Version": "2012-10-17", "Statement": [OTHERS]})}
    }
    ours = {"Sid": "TrailhoundReadsCloudTrail", "Effect": "Allow", "Action": "sqs:SendMessage"}
    added = shared_documents.add_statement(current, ours)
    assert [s["Sid"] for s in json.loads(added["Policy"])["Statement"]] == [
        "SiemAccountReads",
        "TrailhoundReadsCloudTrail",
    ]
    again = shared_documents.add_statement({"Attributes": added}, ours)
    assert again == added  # a second run replaces only our own statement
    removed = shared_documents.remove_statement({"Attributes": again}, ours["Sid"])
    assert removed is not None and json.loads(removed["Policy"])["Statement"] == [OTHERS]
    assert shared_documents.remove_statement(current, ours["Sid"]) is None  # nothing to write
    assert shared_documents.remove_statement({}, "x") is None
    assert shared_documents.add_statement({}, ours)["Policy"]
    only_ours = shared_documents.remove_statement(
        {"Attributes": {"Policy": json.dumps({"Statement": [ours]})}}, ours["Sid"]
    )
    assert only_ours == {"Policy": ""}

    theirs = {
        "Name": "Mgmt",
        "FieldSelectors": [{"Field": "eventCategory", "Equals": ["Management"]}],
    }
    mine = [{"Name": "th: Network activity: s3.amazonaws.com", "FieldSelectors": []}]
    merged = shared_documents.add_selectors({"AdvancedEventSelectors": [theirs]}, mine)
    assert merged == [theirs, *mine]
    assert shared_documents.add_selectors({"AdvancedEventSelectors": merged}, mine) == merged
    assert shared_documents.remove_selectors({"AdvancedEventSelectors": merged}, "th: ") == [theirs]
    assert shared_documents.remove_selectors({"AdvancedEventSelectors": [theirs]}, "th: ") is None
    basic = {"EventSelectors": [{"ReadWriteType": "All", "IncludeManagementEvents": True}]}
    with pytest.raises(shared_documents.Refused, match="basic event selectors"):
        shared_documents.add_selectors(basic, mine, "corp")


def test_a_bucket_already_feeding_the_queue_gets_no_second_entry() -> None:
    feeding = {"Id": "theirs", "QueueArn": QUEUE_ARN, "Events": ["s3:ObjectCreated:*"]}
    merged = bucket_notification.add(
        {"QueueConfigurations": [feeding]}, "ours", queue_arn=QUEUE_ARN
    )
    assert merged["QueueConfigurations"] == [feeding]
    prefixed = bucket_notification.add({}, "ours", queue_arn=QUEUE_ARN, prefix="org/AWSLogs/")
    assert bucket_notification.filter_rules(prefixed["QueueConfigurations"][0]) == {
        "prefix": "org/AWSLogs/"
    }


def test_the_template_never_makes_a_queue_nothing_feeds_and_names_its_step() -> None:
    options = SetupOptions(
        ACCOUNT,
        OPERATOR,
        existing_queue=QUEUE_ARN,
        existing_trail="corp",
        existing_bucket="corp-trail",
        log_prefix="org",
        network_activity="denied",
    )
    template = build_template(options)
    resources = template["Resources"]
    assert not {"NotificationQueue", "DeadLetterQueue", "NotificationQueuePolicy", "Trail"} & set(
        resources
    )  # a QueuePolicy would replace the queue's others; the trail is not ours
    step = template["Outputs"]["BucketNotificationStep"]["Value"]["Fn::Sub"]
    for flag in (
        f"--existing-queue {QUEUE_ARN}",
        "--existing-trail corp",
        "--log-prefix org",
        "--network-activity denied",
        "--notification-only",
    ):
        assert flag in step
    read = resources["ReaderRole"]["Properties"]["Policies"][0]["PolicyDocument"]["Statement"]
    assert read[0]["Resource"] == {
        "Fn::Sub": f"arn:${{AWS::Partition}}:sqs:{REGION}:{ACCOUNT}:trail-feed"
    }
    assert read[1]["Resource"] == "arn:aws:s3:::corp-trail/org/AWSLogs/*"
    # A new bucket with an existing queue: the bucket's notification waits for the step too.
    fresh = build_template(SetupOptions(ACCOUNT, OPERATOR, existing_queue=QUEUE_ARN))
    assert "NotificationConfiguration" not in fresh["Resources"]["LogBucket"]["Properties"]
    assert (
        "--existing-bucket trailhound-cloudtrail-${AWS::AccountId}-${AWS::Region}"
        in (fresh["Outputs"]["BucketNotificationStep"]["Value"]["Fn::Sub"])
    )
    assert json.loads(render(fresh))  # renders
    step_script = build_notification_script(options, REGION)
    assert "policy-add" in step_script and "selectors-add" in step_script
    documents = build_policies(options, REGION)
    [statement] = documents["queue_policy"]["Statement"]
    assert statement["Sid"] == "TrailhoundReadsCloudTrail"
    assert "queue_policy_note" in documents and "bucket_policy" not in documents
    assert all(s["Name"].startswith("trailhound: ") for s in documents["advanced_event_selectors"])


# The scripts with the real AWS CLI against moto ----------------------------------------


@pytest.fixture(scope="module")
def aws_cli(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AwsCli]:
    """The AWS CLI (through its fork server) for the script tests of this module."""
    cli = AwsCli(tmp_path_factory.mktemp("aws-cli"))
    yield cli
    cli.close()


def _environment() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    keys = ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_ENDPOINT_URL")
    env.update({k: os.environ[k] for k in keys})
    return env | {"AWS_MAX_ATTEMPTS": "2", "AWS_CONFIG_FILE": "/dev/null"}


def _clean(response: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in response.items() if k != "ResponseMetadata"}


def snapshot(aws: Aws) -> dict[str, Any]:
    """Everything a setup may touch, in a comparable form."""
    s3, sqs, sns = aws.client("s3"), aws.client("sqs"), aws.client("sns")
    events, trails, iam = aws.client("events"), aws.client("cloudtrail"), aws.client("iam")
    queues = {}
    for url in sqs.list_queues().get("QueueUrls", []):
        attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["Policy"])
        policy = attributes.get("Attributes", {}).get("Policy")
        queues[url] = {
            "policy": json.loads(policy) if policy else None,
            "tags": sqs.list_queue_tags(QueueUrl=url).get("Tags", {}),
        }
    return {
        "buckets": {
            b["Name"]: _clean(s3.get_bucket_notification_configuration(Bucket=b["Name"]))
            for b in s3.list_buckets()["Buckets"]
        },
        "queues": queues,
        "subscriptions": sorted(
            (s["TopicArn"], s["Endpoint"]) for s in sns.list_subscriptions()["Subscriptions"]
        ),
        "rules": sorted(r["Name"] for r in events.list_rules()["Rules"]),
        "trails": {
            t["Name"]: {
                **_clean(trails.get_event_selectors(TrailName=t["Name"])),
                "bucket": trails.get_trail(Name=t["Name"])["Trail"]["S3BucketName"],
            }
            for t in trails.list_trails()["Trails"]
        },
        "roles": sorted(r["RoleName"] for r in iam.list_roles()["Roles"]),
    }


def _run_twice(cli: AwsCli, script: str, tmp_path: Path) -> str:
    output = ""
    for run in (1, 2):
        result = cli.run(script, _environment(), tmp_path)
        assert result.returncode == 0, f"run {run}: {result.stdout}\n{result.stderr}"
        output = result.stdout
    return output


def _existing_queue(aws: Aws) -> str:
    """The queue another consumer set up, with a policy statement and a tag of its own."""
    sqs = aws.client("sqs")
    url, arn = aws.queue("trail-feed")
    assert arn == QUEUE_ARN
    policy = {"Version": "2012-10-17", "Id": "siem", "Statement": [OTHERS]}
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": json.dumps(policy)})
    sqs.tag_queue(QueueUrl=url, Tags={"owner": "siem"})
    return url


def _statements(aws: Aws, url: str) -> list[str]:
    policy = aws.client("sqs").get_queue_attributes(QueueUrl=url, AttributeNames=["Policy"])
    return [s["Sid"] for s in json.loads(policy["Attributes"]["Policy"])["Statement"]]


@pytest.mark.aws
def test_sns_route_on_an_existing_queue_runs_twice_and_tears_down_to_what_was(
    aws: Aws, aws_cli: AwsCli, tmp_path: Path
) -> None:
    _, topic = aws.bucket_to_topic_to_queue("corp-trail")  # another consumer's subscription
    url = _existing_queue(aws)
    before = snapshot(aws)
    options = SetupOptions(
        ACCOUNT,
        OPERATOR,
        existing_bucket="corp-trail",
        route="sns",
        existing_topic=topic,
        existing_queue=url,
    )
    output = _run_twice(aws_cli, build_script(options), tmp_path)
    assert "queue already subscribed" in output  # the second run subscribes nothing more
    after = snapshot(aws)
    assert (topic, QUEUE_ARN) in after["subscriptions"]
    assert after["subscriptions"].count((topic, QUEUE_ARN)) == 1
    assert _statements(aws, url) == ["SiemAccountReads", "TrailhoundReadsCloudTrail"]
    assert after["queues"][url]["tags"]["owner"] == "siem"
    assert after["buckets"] == before["buckets"]  # the SNS route leaves the bucket alone
    assert "trailhound-cloudtrail" not in str(after["queues"])  # no queue of ours was made

    integration = Integration.create("corp", url, region=REGION)
    report = check_connection(integration, bucket="corp-trail")
    assert report.ok, report.message
    assert any(f"notifies SNS topic {topic}" in s.detail for s in report.steps)

    for _ in range(2):
        teardown = aws_cli.run(build_teardown(options), _environment(), tmp_path)
        assert teardown.returncode == 0, teardown.stdout + teardown.stderr
    assert snapshot(aws) == before

    # A subscription that was there before setup is never removed by its teardown.
    sns = aws.client("sns")
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=QUEUE_ARN)
    before = snapshot(aws)
    again = aws_cli.run(build_script(options), _environment(), tmp_path)
    assert again.returncode == 0, again.stdout + again.stderr
    assert "queue already subscribed" in again.stdout
    teardown = aws_cli.run(build_teardown(options), _environment(), tmp_path)
    assert teardown.returncode == 0, teardown.stdout + teardown.stderr
    assert snapshot(aws) == before


@pytest.mark.aws
def test_sns_route_with_a_new_queue_runs_twice_and_tears_down_to_what_was(
    aws: Aws, aws_cli: AwsCli, tmp_path: Path
) -> None:
    _, topic = aws.bucket_to_topic_to_queue("corp-trail")
    before = snapshot(aws)
    options = SetupOptions(
        ACCOUNT, OPERATOR, existing_bucket="corp-trail", route="sns", existing_topic=topic
    )
    _run_twice(aws_cli, build_script(options), tmp_path)
    after = snapshot(aws)
    ours = f"arn:aws:sqs:{REGION}:{ACCOUNT}:trailhound-cloudtrail"
    assert after["subscriptions"].count((topic, ours)) == 1
    assert after["buckets"] == before["buckets"]
    url = aws.client("sqs").get_queue_url(QueueName="trailhound-cloudtrail")["QueueUrl"]
    report = check_connection(Integration.create("corp", url, region=REGION), bucket="corp-trail")
    assert report.ok, report.message
    for _ in range(2):
        teardown = aws_cli.run(build_teardown(options), _environment(), tmp_path)
        assert teardown.returncode == 0, teardown.stdout + teardown.stderr
    assert snapshot(aws) == before


def _existing_trail(aws: Aws, prefix: str = "org") -> None:
    """Trail ``corp`` writing to ``corp-trail`` under ``prefix`` with selectors of its own."""
    s3 = aws.client("s3")
    s3.create_bucket(Bucket="corp-trail")
    _, siem_arn = aws.queue("siem")
    s3.put_bucket_notification_configuration(
        Bucket="corp-trail",
        NotificationConfiguration={
            "QueueConfigurations": [
                {
                    "Id": "siem",
                    "QueueArn": siem_arn,
                    "Events": ["s3:ObjectCreated:*"],
                    "Filter": {"Key": {"FilterRules": [{"Name": "prefix", "Value": "exports/"}]}},
                }
            ]
        },
    )
    trails = aws.client("cloudtrail")
    trails.create_trail(Name="corp", S3BucketName="corp-trail", S3KeyPrefix=prefix)
    trails.put_event_selectors(
        TrailName="corp",
        AdvancedEventSelectors=[
            {
                "Name": "Mgmt",
                "FieldSelectors": [{"Field": "eventCategory", "Equals": ["Management"]}],
            }
        ],
    )


@pytest.mark.aws
def test_eventbridge_route_on_an_existing_trail_merges_selectors_and_tears_down(
    aws: Aws, aws_cli: AwsCli, tmp_path: Path
) -> None:
    _existing_trail(aws)
    before = snapshot(aws)
    selector = "eventSource=s3.amazonaws.com,vpcEndpointId!=vpce-0abc12345678"
    options = SetupOptions(
        ACCOUNT,
        OPERATOR,
        existing_trail="corp",
        existing_bucket="corp-trail",
        log_prefix="org",
        route="eventbridge",
        selectors=(selector,),
        name="thtest",
    )
    wrong = SetupOptions(
        ACCOUNT, OPERATOR, existing_trail="corp", existing_bucket="corp-trail", route="eventbridge"
    )
    refused = aws_cli.run(build_script(wrong), _environment(), tmp_path)
    assert refused.returncode == 2
    assert "--existing-bucket corp-trail --log-prefix 'org'" in refused.stderr
    assert snapshot(aws) == before  # checked before anything was made

    _run_twice(aws_cli, build_script(options), tmp_path)
    after = snapshot(aws)
    assert list(after["trails"]) == ["corp"]  # no trail of ours
    selectors = after["trails"]["corp"]["AdvancedEventSelectors"]
    assert [s["Name"] for s in selectors] == ["Mgmt", "thtest: Network activity: s3.amazonaws.com"]
    # moto (5.2) takes EventBridgeConfiguration in PutBucketNotificationConfiguration but leaves
    # it out of GetBucketNotificationConfiguration: the script reads EventBridge delivery as
    # off, so its rule records that setup turned it on, and the teardown turns it off again.
    bucket = after["buckets"]["corp-trail"]
    assert [e["Id"] for e in bucket["QueueConfigurations"]] == ["siem"]
    assert after["rules"] == ["thtest-cloudtrail"]
    rule = aws.client("events").describe_rule(Name="thtest-cloudtrail")
    assert rule["Description"].endswith("; setup turned on EventBridge delivery of the bucket")
    pattern = json.loads(
        aws.client("events").describe_rule(Name="thtest-cloudtrail")["EventPattern"]
    )
    assert pattern["detail"]["object"]["key"] == [{"prefix": "org/AWSLogs/"}]
    role = aws.client("iam").get_role_policy(RoleName="thtest-reader", PolicyName="read-cloudtrail")
    document = role["PolicyDocument"]
    document = json.loads(document) if isinstance(document, str) else document
    assert document["Statement"][1]["Resource"] == "arn:aws:s3:::corp-trail/org/AWSLogs/*"

    # The connection test's route check, on the queue policy as moto holds it.
    sqs = aws.client("sqs")
    url = sqs.get_queue_url(QueueName="thtest-cloudtrail")["QueueUrl"]
    policy = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["Policy"])["Attributes"]
    sources = queue_policy_sources(policy["Policy"])
    assert sources == [("events.amazonaws.com", rule["Arn"])]

    for run in range(2):
        teardown = aws_cli.run(build_teardown(options), _environment(), tmp_path)
        assert teardown.returncode == 0, teardown.stdout + teardown.stderr
        delivery_off = "bucket corp-trail: EventBridge delivery off again" in teardown.stdout
        assert delivery_off == (run == 0)  # the second run finds nothing left to undo
        assert "thtest-cloudtrail" not in snapshot(aws)["rules"]
    assert snapshot(aws) == before


@pytest.mark.aws
def test_direct_route_on_an_existing_queue_and_trail_keeps_the_others(
    aws: Aws, aws_cli: AwsCli, tmp_path: Path
) -> None:
    _existing_trail(aws, prefix="")
    url = _existing_queue(aws)
    before = snapshot(aws)
    options = SetupOptions(
        ACCOUNT,
        OPERATOR,
        existing_trail="corp",
        existing_bucket="corp-trail",
        existing_queue=QUEUE_ARN,
        network_activity="denied",
    )
    _run_twice(aws_cli, build_script(options), tmp_path)
    after = snapshot(aws)
    entries = after["buckets"]["corp-trail"]["QueueConfigurations"]
    assert sorted((e["Id"], e["QueueArn"].rsplit(":", 1)[-1]) for e in entries) == [
        ("siem", "siem"),
        ("trailhound-cloudtrail", "trail-feed"),
    ]
    assert _statements(aws, url) == ["SiemAccountReads", "TrailhoundReadsCloudTrail"]
    assert len(after["trails"]["corp"]["AdvancedEventSelectors"]) == 6  # theirs and 5 sources
    assert set(after["queues"]) == set(before["queues"])  # no queue of ours was made

    aws.put_logs("corp-trail", count=1, per_object=2, account=ACCOUNT)
    report = check_connection(Integration.create("corp", url, region=REGION))
    assert report.ok and report.log_read, report.message

    for _ in range(2):
        teardown = aws_cli.run(build_teardown(options), _environment(), tmp_path)
        assert teardown.returncode == 0, teardown.stdout + teardown.stderr
    now = snapshot(aws)
    assert now["trails"] == before["trails"] and now["buckets"] == before["buckets"]
    assert now["queues"] == before["queues"] and now["roles"] == before["roles"]
    assert "stays" in teardown.stdout


@pytest.mark.aws
def test_the_command_looks_the_trail_up(aws: Aws) -> None:
    _existing_trail(aws)
    from trailhound.cli import app

    result = CliRunner().invoke(
        app,
        [
            "setup",
            "aws",
            "--account",
            ACCOUNT,
            "--operator-account",
            OPERATOR,
            "--existing-trail",
            "corp",
            "--format",
            "policy",
        ],
    )
    assert result.exit_code == 0, result.output
    documents = json.loads(result.stdout[: result.stdout.rindex("}") + 1])
    read = documents["read_policy"]["Statement"][1]
    assert read["Resource"] == "arn:aws:s3:::corp-trail/org/AWSLogs/*"
    missing = CliRunner().invoke(
        app,
        [
            "setup",
            "aws",
            "--account",
            ACCOUNT,
            "--operator-account",
            OPERATOR,
            "--existing-trail",
            "nope",
            "--format",
            "policy",
        ],
    )
    assert missing.exit_code != 0 and "no trail nope" in missing.output
    assert "Traceback" not in missing.output


@pytest.mark.aws
@pytest.mark.filterwarnings("ignore:Tried to parse AWS::")  # moto skips types it lacks
def test_the_template_step_and_stack_teardown_on_an_existing_queue(
    aws: Aws, aws_cli: AwsCli, tmp_path: Path
) -> None:
    s3 = aws.client("s3")
    s3.create_bucket(Bucket="corp-trail")
    url = _existing_queue(aws)
    before = snapshot(aws)
    options = SetupOptions(ACCOUNT, OPERATOR, existing_bucket="corp-trail", existing_queue=url)
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
    assert outputs["QueueUrl"] == url and "--notification-only" in outputs["BucketNotificationStep"]
    assert set(snapshot(aws)["queues"]) == set(before["queues"])  # no queue nothing feeds

    step = _run_twice(aws_cli, build_notification_script(options, REGION), tmp_path)
    assert "statement TrailhoundReadsCloudTrail in its policy" in step
    assert _statements(aws, url) == ["SiemAccountReads", "TrailhoundReadsCloudTrail"]
    [entry] = s3.get_bucket_notification_configuration(Bucket="corp-trail")["QueueConfigurations"]
    assert entry["QueueArn"] == QUEUE_ARN and entry["Id"] == "trailhound-cloudtrail"

    teardown = build_teardown(options, REGION, fmt="cloudformation")
    for _ in range(2):
        result = aws_cli.run(teardown, _environment(), tmp_path)
        assert result.returncode == 0, result.stdout + result.stderr
    assert snapshot(aws) == before


@pytest.mark.aws
@pytest.mark.filterwarnings("ignore:Tried to parse AWS::")  # moto skips types it lacks
def test_the_stack_teardown_turns_eventbridge_off_only_if_its_step_turned_it_on(
    aws: Aws, aws_cli: AwsCli, tmp_path: Path
) -> None:
    aws.client("s3").create_bucket(Bucket="corp-trail")
    before = snapshot(aws)
    options = SetupOptions(ACCOUNT, OPERATOR, existing_bucket="corp-trail", route="eventbridge")
    aws.client("cloudformation").create_stack(
        StackName="trailhound",
        TemplateBody=render(build_template(options)),
        Parameters=[{"ParameterKey": "ExternalId", "ParameterValue": options.external_id}],
        Capabilities=["CAPABILITY_NAMED_IAM"],
    )
    _run_twice(aws_cli, build_notification_script(options, REGION), tmp_path)
    rule = names_for(options, REGION).rule_arn
    tags = aws.client("events").list_tags_for_resource(ResourceARN=rule)["Tags"]
    assert {"Key": "trailhound-setup:eventbridge-delivery", "Value": "turned-on"} in tags
    teardown = build_teardown(options, REGION, fmt="cloudformation")
    outputs = []
    for _ in range(2):
        result = aws_cli.run(teardown, _environment(), tmp_path)
        assert result.returncode == 0, result.stdout + result.stderr
        outputs.append(result.stdout)
    assert "corp-trail: EventBridge delivery off again" in outputs[0]
    assert "EventBridge delivery off again" not in outputs[1]  # the rule and its tag are gone
    assert snapshot(aws) == before
