"""A CloudFormation template that connects an account (or an AWS Organization) to trailhound.

It creates a multi-region (or organization) trail with log file validation, the S3 bucket with
CloudTrail's bucket policy (kept when the stack is deleted: it holds the logs), an optional KMS
key (kept likewise, as the logs need it), an SQS queue (with a dead-letter queue) and its policy,
the route from the bucket to the queue, and the role trailhound assumes: trusting only the
operator's account, only with the external ID, allowed only to read the queue and the log
objects. Every name starts with the name prefix, so two stacks coexist.

With ``--existing-bucket`` the trail and bucket are left alone. CloudFormation cannot change a
bucket it did not create, so for the direct and EventBridge routes the template's
``BucketNotificationStep`` output names the extra step that adds the notification beside the
bucket's others (``setup aws … --format cli --notification-only``); the SNS route subscribes the
queue to the bucket's existing topic and needs no step.

Nor can it change an existing queue's policy or an existing trail's selectors without replacing
what is there (``AWS::SQS::QueuePolicy`` sets the whole policy), so with ``--existing-queue`` or
``--existing-trail`` the template creates neither queue nor trail and the same output names the
step that adds our statement, subscription, notification and selectors beside the others. The
template never makes a queue that nothing feeds.
"""

from __future__ import annotations

import json
import shlex
from typing import Any

import yaml

from trailhound.sources.aws.setup import policy
from trailhound.sources.aws.setup.options import (
    DEFAULT_NAME,
    SetupError,
    SetupOptions,
    parse_queue,
)
from trailhound.sources.aws.setup.selectors import (
    NETWORK_ACTIVITY_MODES,
    NETWORK_ACTIVITY_SOURCES,
    event_selectors,
)

__all__ = [
    "NETWORK_ACTIVITY_MODES",
    "NETWORK_ACTIVITY_SOURCES",
    "SetupError",
    "SetupOptions",
    "build_template",
    "event_selectors",
    "notification_configuration",
    "render",
]

Template = dict[str, Any]
RETAIN = {"DeletionPolicy": "Retain", "UpdateReplacePolicy": "Retain"}


def _getatt(resource: str, attribute: str) -> dict[str, list[str]]:
    return {"Fn::GetAtt": [resource, attribute]}


def _ref(name: str) -> dict[str, str]:
    return {"Ref": name}


def _bucket_name(prefix: str) -> dict[str, str]:
    """The new bucket's name, known before it exists (a ``Ref`` would make cycles)."""
    return {"Fn::Sub": f"{prefix}-cloudtrail-${{AWS::AccountId}}-${{AWS::Region}}"}


def _bucket_arn(prefix: str) -> dict[str, str]:
    return {
        "Fn::Sub": f"arn:${{AWS::Partition}}:s3:::{prefix}-cloudtrail-${{AWS::AccountId}}"
        "-${AWS::Region}"
    }


class _Dumper(yaml.SafeDumper):
    """YAML without anchors and aliases, which CloudFormation rejects."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def needs_step(options: SetupOptions) -> bool:
    """Whether the template leaves a change to existing resources to a script."""
    return bool(
        (options.existing_bucket and options.touches_bucket_notification)
        or options.existing_queue
        or (options.existing_trail and options.network)
    )


def _step_flags(options: SetupOptions) -> str:
    q = shlex.quote
    flags = f" --route {options.route}" if options.route != "queue" else ""
    flags += f" --existing-topic {q(options.existing_topic)}" if options.existing_topic else ""
    flags += f" --existing-queue {q(options.existing_queue)}" if options.existing_queue else ""
    flags += f" --existing-trail {q(options.existing_trail)}" if options.existing_trail else ""
    flags += f" --log-prefix {q(options.log_prefix)}" if options.log_prefix else ""
    if options.existing_trail and options.network_activity:
        flags += f" --network-activity {options.network_activity}"
    elif options.existing_trail:
        flags += "".join(f" --network-activity-selector {q(s)}" for s in options.selectors)
    flags += f" --name-prefix {options.name}" if options.name != DEFAULT_NAME else ""
    flags += f" --profile {q(options.profile)}" if options.profile else ""
    return flags


def notification_step(options: SetupOptions, region: str = "${AWS::Region}") -> str | None:
    """The step that completes what the stack cannot change on existing resources, if any."""
    if not needs_step(options):
        return None
    account = "${AWS::AccountId}" if region == "${AWS::Region}" else options.account
    bucket = options.existing_bucket or f"{options.name}-cloudtrail-{account}-{region}"
    return (
        f"trailhound setup aws --account {options.account} --existing-bucket {bucket} "
        f"--region {region}{_step_flags(options)} --format cli --notification-only "
        "> notification.sh && bash notification.sh"
    )


def _existing_queue_arn(options: SetupOptions) -> Any:
    region, account, name = parse_queue(str(options.existing_queue))
    return {"Fn::Sub": f"arn:${{AWS::Partition}}:sqs:{region or '${AWS::Region}'}:{account}:{name}"}


def _queue_arn(options: SetupOptions) -> Any:
    if options.existing_queue:
        return _existing_queue_arn(options)
    return _getatt("NotificationQueue", "Arn")


def _queue_url(options: SetupOptions) -> Any:
    if not options.existing_queue:
        return _ref("NotificationQueue")
    if options.existing_queue.startswith("http"):
        return options.existing_queue
    region, account, name = parse_queue(options.existing_queue)
    return {"Fn::Sub": f"https://sqs.{region}.${{AWS::URLSuffix}}/{account}/{name}"}


def notification_configuration(queue_arn: Any, prefix: str = "AWSLogs/") -> dict[str, Any]:
    """The bucket's notification: new objects under ``AWSLogs/`` go to the queue."""
    return {
        "QueueConfigurations": [
            {
                "Event": "s3:ObjectCreated:*",
                "Queue": queue_arn,
                "Filter": {"S3Key": {"Rules": [{"Name": "prefix", "Value": prefix}]}},
            }
        ]
    }


def _queues(options: SetupOptions, resources: dict[str, Any], bucket_arn: Any) -> None:
    name = options.name
    queue_arn = _queue_arn(options)
    if options.existing_queue:
        _route(options, resources, queue_arn)
        return  # its policy is the step's: a QueuePolicy would replace the others' statements
    resources["DeadLetterQueue"] = {
        "Type": "AWS::SQS::Queue",
        "Properties": {
            "QueueName": f"{name}-cloudtrail-dlq",
            "MessageRetentionPeriod": 1209600,
            "SqsManagedSseEnabled": True,
        },
    }
    resources["NotificationQueue"] = {
        "Type": "AWS::SQS::Queue",
        "Properties": {
            "QueueName": f"{name}-cloudtrail",
            "VisibilityTimeout": 300,
            "MessageRetentionPeriod": 1209600,
            "ReceiveMessageWaitTimeSeconds": 20,
            "SqsManagedSseEnabled": True,
            "RedrivePolicy": {
                "deadLetterTargetArn": _getatt("DeadLetterQueue", "Arn"),
                "maxReceiveCount": 10,
            },
        },
    }
    source = _route(options, resources, queue_arn)
    resources["NotificationQueuePolicy"] = {
        "Type": "AWS::SQS::QueuePolicy",
        "Properties": {
            "Queues": [_ref("NotificationQueue")],
            "PolicyDocument": policy.queue_policy(
                queue_arn,
                bucket_arn,
                options.account,
                route=options.route,
                source_arn=source,
            ),
        },
    }


def _route(options: SetupOptions, resources: dict[str, Any], queue_arn: Any) -> Any:
    """The SNS subscription or EventBridge rule; returns what the queue policy must admit."""
    name = options.name
    source: Any = None
    if options.route == "sns" and not options.existing_queue:
        # An existing queue may be subscribed already: the step subscribes it only if not,
        # so that deleting the stack never removes a subscription it did not make.
        source = options.existing_topic
        resources["TopicSubscription"] = {
            "Type": "AWS::SNS::Subscription",
            "Properties": {
                "Protocol": "sqs",
                "TopicArn": options.existing_topic,
                "Endpoint": queue_arn,
            },
        }
    elif options.route == "eventbridge":
        source = _getatt("LogObjectRule", "Arn")
        resources["LogObjectRule"] = {
            "Type": "AWS::Events::Rule",
            "Properties": {
                "Name": f"{name}-cloudtrail",
                "Description": "CloudTrail log files written to the bucket, for trailhound",
                "EventPattern": {
                    "source": ["aws.s3"],
                    "detail-type": ["Object Created"],
                    "detail": {
                        "bucket": {"name": [options.existing_bucket or _bucket_name(name)]},
                        "object": {"key": [{"prefix": options.object_prefix}]},
                    },
                },
                "Targets": [{"Id": "queue", "Arn": queue_arn}],
            },
        }
    return source


def _bucket_and_trail(options: SetupOptions, resources: dict[str, Any], kms_arn: Any) -> None:
    name = options.name
    encryption: dict[str, Any] = (
        {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": kms_arn}
        if kms_arn
        else {"SSEAlgorithm": "AES256"}
    )
    notification: dict[str, Any] | None = (
        {"EventBridgeConfiguration": {"EventBridgeEnabled": True}}
        if options.route == "eventbridge"
        else notification_configuration(_getatt("NotificationQueue", "Arn"))
    )
    direct = options.route == "queue"
    if direct and options.existing_queue:
        notification = None  # S3 checks the queue's policy, which only the step can change
    resources["LogBucket"] = {
        "Type": "AWS::S3::Bucket",
        **RETAIN,  # the logs outlive the stack; teardown --delete-logs removes them
        # S3 checks that it may send to the queue when the notification is set.
        **({"DependsOn": "NotificationQueuePolicy"} if notification and direct else {}),
        "Properties": {
            "BucketName": _bucket_name(name),
            "BucketEncryption": {
                "ServerSideEncryptionConfiguration": [
                    {"ServerSideEncryptionByDefault": encryption, "BucketKeyEnabled": True}
                ]
            },
            "PublicAccessBlockConfiguration": {
                "BlockPublicAcls": True,
                "BlockPublicPolicy": True,
                "IgnorePublicAcls": True,
                "RestrictPublicBuckets": True,
            },
            "VersioningConfiguration": {"Status": "Enabled"},
            **({"NotificationConfiguration": notification} if notification else {}),
        },
    }
    resources["LogBucketPolicy"] = {
        "Type": "AWS::S3::BucketPolicy",
        "Properties": {
            "Bucket": _ref("LogBucket"),
            "PolicyDocument": policy.bucket_policy(
                _bucket_arn(name),
                options.account,
                organization_id=options.organization_id,
            ),
        },
    }
    trail: dict[str, Any] = {
        "TrailName": name,
        "S3BucketName": _ref("LogBucket"),
        "IsLogging": True,
        "IsMultiRegionTrail": True,
        "IncludeGlobalServiceEvents": True,
        "EnableLogFileValidation": True,
        "IsOrganizationTrail": options.organization,
        "AdvancedEventSelectors": event_selectors(options.network),
    }
    if kms_arn:
        trail["KMSKeyId"] = kms_arn
    resources["Trail"] = {
        "Type": "AWS::CloudTrail::Trail",
        "DependsOn": "LogBucketPolicy",
        "Properties": trail,
    }


def build_template(options: SetupOptions) -> Template:
    """The CloudFormation template, as a dict."""
    name = options.name
    resources: dict[str, Any] = {}
    bucket_arn: Any = (
        f"arn:{options.partition}:s3:::{options.existing_bucket}"
        if options.existing_bucket
        else _bucket_arn(name)
    )
    kms_arn: Any = _getatt("LogKey", "Arn") if options.kms else options.kms_key_arn
    if options.kms:
        resources["LogKey"] = {
            "Type": "AWS::KMS::Key",
            **RETAIN,  # the retained logs cannot be read without it
            "Properties": {
                "Description": "Encrypts the CloudTrail log files read by trailhound",
                "EnableKeyRotation": True,
                "KeyPolicy": policy.kms_key_policy(options.account, options.partition),
            },
        }
        resources["LogKeyAlias"] = {
            "Type": "AWS::KMS::Alias",
            "Properties": {"AliasName": f"alias/{name}-cloudtrail", "TargetKeyId": _ref("LogKey")},
        }
    _queues(options, resources, bucket_arn)
    if not options.existing_bucket:
        _bucket_and_trail(options, resources, kms_arn)
    resources["ReaderRole"] = {
        "Type": "AWS::IAM::Role",
        "Properties": {
            "RoleName": f"{name}-reader",
            "Description": "Assumed by trailhound to read CloudTrail notifications and log files",
            "MaxSessionDuration": 3600,
            "AssumeRolePolicyDocument": policy.trust_policy(
                options.trusted, _ref("ExternalId"), options.partition
            ),
            "Policies": [
                {
                    "PolicyName": "read-cloudtrail",
                    "PolicyDocument": policy.read_policy(
                        policy.ReadTarget(
                            _queue_arn(options),
                            bucket_arn,
                            kms_arn,
                            options.object_prefix.rstrip("/"),
                        )
                    ),
                }
            ],
        },
    }

    outputs: dict[str, Any] = {
        "QueueUrl": {
            "Description": "trailhound integration add … --queue-url",
            "Value": _queue_url(options),
        },
        "RoleArn": {
            "Description": "trailhound integration add … --role-arn",
            "Value": _getatt("ReaderRole", "Arn"),
        },
        "BucketName": {"Value": options.existing_bucket or _ref("LogBucket")},
    }
    if kms_arn:
        outputs["KmsKeyArn"] = {"Value": kms_arn}
    step = notification_step(options)
    if step:
        outputs["BucketNotificationStep"] = {
            "Description": "The stack cannot change existing resources: run this once deployed",
            "Value": {"Fn::Sub": step},
        }
    trail_kind = "organization" if options.organization else "multi-region"
    description = (
        f"Connects account {options.account} to trailhound "
        + (
            f"(existing bucket {options.existing_bucket}, {options.route} route)"
            if options.existing_bucket
            else f"({trail_kind} trail, {options.route} route)"
        )
        + (": then run the BucketNotificationStep output" if step else "")
    )
    return {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": description,
        "Parameters": {
            "ExternalId": {
                "Type": "String",
                "NoEcho": True,
                "MinLength": 16,
                "MaxLength": 1224,
                "AllowedPattern": r"[\w+=,.@:/-]+",
                "Description": "The external ID trailhound presents when it assumes the role",
            }
        },
        "Resources": resources,
        "Outputs": outputs,
    }


def render(template: Template, fmt: str = "json") -> str:
    """The template as JSON or YAML text (the long ``Fn::`` form, valid in both)."""
    if fmt == "yaml":
        return yaml.dump(template, Dumper=_Dumper, sort_keys=False, width=100)
    return json.dumps(template, indent=2) + "\n"
