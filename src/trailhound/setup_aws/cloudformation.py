"""A CloudFormation template that connects an account (or an AWS Organization) to trailhound.

It creates a multi-region (or organization) trail with log file validation, the S3 bucket with
CloudTrail's bucket policy, an optional KMS key, an SQS queue (with a dead-letter queue) and its
policy, the S3 → SQS notification, and the role trailhound assumes: trusting only the operator's
account, only with the external ID, allowed only to read the queue and the log objects. With
``--existing-bucket`` the trail and bucket are left alone; the bucket's notification is added by
the CLI script (CloudFormation cannot change a bucket it did not create).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from trailhound.errors import TrailhoundError
from trailhound.setup_aws import policy

Template = dict[str, Any]
NETWORK_ACTIVITY_SOURCES = (
    "cloudtrail.amazonaws.com",
    "ec2.amazonaws.com",
    "kms.amazonaws.com",
    "secretsmanager.amazonaws.com",
    "s3.amazonaws.com",
)
NETWORK_ACTIVITY_MODES = ("all", "denied")
_ACCOUNT = re.compile(r"^\d{12}$")


class SetupError(TrailhoundError):
    """The setup options do not make a valid configuration."""


@dataclass(frozen=True, slots=True)
class SetupOptions:
    """What to generate the onboarding material for."""

    account: str  # the monitored (or management) account
    operator: str  # the account (or principal ARN) trailhound runs in, trusted by the role
    external_id: str = field(default_factory=policy.generate_external_id, repr=False)
    organization_id: str | None = None  # o-…: an organization trail from the management account
    existing_bucket: str | None = None
    kms: bool = False
    network_activity: str | None = None  # None, "all", or "denied" (VPC endpoint access denied)
    partition: str = "aws"
    name: str = "trailhound"

    def __post_init__(self) -> None:
        if not _ACCOUNT.match(self.account):
            raise SetupError(f"not a 12-digit AWS account ID: {self.account!r}")
        if not (_ACCOUNT.match(self.operator) or self.operator.startswith("arn:")):
            raise SetupError(f"the operator must be an account ID or an ARN: {self.operator!r}")
        if self.network_activity not in (None, *NETWORK_ACTIVITY_MODES):
            raise SetupError(
                f"network activity is 'all' or 'denied', not {self.network_activity!r}"
            )
        if len(self.external_id) < 16:
            raise SetupError("the external ID must be at least 16 characters")

    @property
    def organization(self) -> bool:
        """Whether the trail covers the whole organization."""
        return self.organization_id is not None


def _getatt(resource: str, attribute: str) -> dict[str, list[str]]:
    return {"Fn::GetAtt": [resource, attribute]}


def _ref(name: str) -> dict[str, str]:
    return {"Ref": name}


def event_selectors(network_activity: str | None) -> list[dict[str, Any]]:
    """Advanced event selectors: management events, plus VPC endpoint network activity."""
    selectors: list[dict[str, Any]] = [
        {
            "Name": "Management events",
            "FieldSelectors": [{"Field": "eventCategory", "Equals": ["Management"]}],
        }
    ]
    for source in NETWORK_ACTIVITY_SOURCES if network_activity else ():
        fields: list[dict[str, Any]] = [
            {"Field": "eventCategory", "Equals": ["NetworkActivity"]},
            {"Field": "eventSource", "Equals": [source]},
        ]
        if network_activity == "denied":
            fields.append({"Field": "errorCode", "Equals": ["VpceAccessDenied"]})
        selectors.append({"Name": f"Network activity: {source}", "FieldSelectors": fields})
    return selectors


def notification_configuration(queue_arn: Any) -> dict[str, Any]:
    """The bucket's notification: new objects under ``AWSLogs/`` go to the queue."""
    return {
        "QueueConfigurations": [
            {
                "Event": "s3:ObjectCreated:*",
                "Queue": queue_arn,
                "Filter": {
                    "S3Key": {"Rules": [{"Name": "prefix", "Value": f"{policy.LOG_PREFIX}/"}]}
                },
            }
        ]
    }


def build_template(options: SetupOptions) -> Template:
    """The CloudFormation template, as a dict."""
    name = options.name
    bucket_arn: Any
    resources: dict[str, Any] = {}
    if options.existing_bucket:
        bucket_arn = f"arn:{options.partition}:s3:::{options.existing_bucket}"
    else:
        bucket_arn = _getatt("LogBucket", "Arn")
    kms_arn = _getatt("LogKey", "Arn") if options.kms else None

    if options.kms:
        resources["LogKey"] = {
            "Type": "AWS::KMS::Key",
            "Properties": {
                "Description": "Encrypts the CloudTrail log files read by trailhound",
                "EnableKeyRotation": True,
                "KeyPolicy": policy.kms_key_policy(options.account, options.partition),
            },
        }
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
    resources["NotificationQueuePolicy"] = {
        "Type": "AWS::SQS::QueuePolicy",
        "Properties": {
            "Queues": [_ref("NotificationQueue")],
            "PolicyDocument": policy.queue_policy(
                _getatt("NotificationQueue", "Arn"), bucket_arn, options.account
            ),
        },
    }
    if not options.existing_bucket:
        encryption: dict[str, Any] = (
            {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": kms_arn}
            if options.kms
            else {"SSEAlgorithm": "AES256"}
        )
        resources["LogBucket"] = {
            "Type": "AWS::S3::Bucket",
            "DependsOn": "NotificationQueuePolicy",
            "Properties": {
                "BucketName": {
                    "Fn::Sub": f"{name}-cloudtrail-${{AWS::AccountId}}-${{AWS::Region}}"
                },
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
                "NotificationConfiguration": notification_configuration(
                    _getatt("NotificationQueue", "Arn")
                ),
            },
        }
        resources["LogBucketPolicy"] = {
            "Type": "AWS::S3::BucketPolicy",
            "Properties": {
                "Bucket": _ref("LogBucket"),
                "PolicyDocument": policy.bucket_policy(
                    bucket_arn, options.account, organization_id=options.organization_id
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
            "AdvancedEventSelectors": event_selectors(options.network_activity),
        }
        if options.kms:
            trail["KMSKeyId"] = kms_arn
        resources["Trail"] = {
            "Type": "AWS::CloudTrail::Trail",
            "DependsOn": "LogBucketPolicy",
            "Properties": trail,
        }
    resources["ReaderRole"] = {
        "Type": "AWS::IAM::Role",
        "Properties": {
            "RoleName": f"{name}-reader",
            "Description": "Assumed by trailhound to read CloudTrail notifications and log files",
            "MaxSessionDuration": 3600,
            "AssumeRolePolicyDocument": policy.trust_policy(
                options.operator, _ref("ExternalId"), options.partition
            ),
            "Policies": [
                {
                    "PolicyName": "read-cloudtrail",
                    "PolicyDocument": policy.read_policy(
                        policy.ReadTarget(_getatt("NotificationQueue", "Arn"), bucket_arn, kms_arn)
                    ),
                }
            ],
        },
    }

    outputs: dict[str, Any] = {
        "QueueUrl": {
            "Description": "trailhound integration add … --queue-url",
            "Value": _ref("NotificationQueue"),
        },
        "RoleArn": {
            "Description": "trailhound integration add … --role-arn",
            "Value": _getatt("ReaderRole", "Arn"),
        },
        "BucketName": {"Value": options.existing_bucket or _ref("LogBucket")},
    }
    if options.kms:
        outputs["KmsKeyArn"] = {"Value": kms_arn}
    return {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": f"Connects account {options.account} to trailhound "
        f"({'organization' if options.organization else 'multi-region'} trail)",
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
        return yaml.safe_dump(template, sort_keys=False, width=100)
    return json.dumps(template, indent=2) + "\n"
