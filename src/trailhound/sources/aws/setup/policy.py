"""The IAM and resource policies an account needs so that trailhound can read its CloudTrail.

Every document is a Python dict (``json.dumps`` it, or embed it in a template): the role trailhound
assumes (trusting the operator's account, only with the external ID), its least-privilege read
policy, and the bucket and queue policies that let CloudTrail and S3 deliver.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from typing import Any

Document = dict[str, Any]

EXTERNAL_ID_BYTES = 32  # 43 URL-safe characters; STS accepts 2 to 1224
LOG_PREFIX = "AWSLogs"
READ_SQS_ACTIONS = (
    "sqs:ReceiveMessage",
    "sqs:DeleteMessage",
    "sqs:GetQueueAttributes",
    "sqs:ChangeMessageVisibility",
)
_ACCOUNT = re.compile(r"^\d{12}$")


def generate_external_id() -> str:
    """A random, long external ID (256 bits) for the role's trust policy."""
    return "th-" + secrets.token_urlsafe(EXTERNAL_ID_BYTES)


def principal_arn(operator: str, partition: str = "aws") -> str:
    """The principal a trust policy names: an account ID becomes its root ARN."""
    return f"arn:{partition}:iam::{operator}:root" if _ACCOUNT.match(operator) else operator


@dataclass(frozen=True, slots=True)
class ReadTarget:
    """The resources trailhound reads: queue, bucket and log prefix, and the KMS key if any."""

    queue_arn: Any  # a string, or a CloudFormation intrinsic such as {"Fn::GetAtt": […]}
    bucket_arn: Any
    kms_key_arn: Any | None = None
    prefix: str = LOG_PREFIX


def trust_policy(operator: str, external_id: Any, partition: str = "aws") -> Document:
    """The role's trust policy: only the operator, and only with the external ID.

    >>> trust_policy("123456789012", "x")["Statement"][0]["Condition"]
    {'StringEquals': {'sts:ExternalId': 'x'}}
    """
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"AWS": principal_arn(operator, partition)},
                "Action": "sts:AssumeRole",
                "Condition": {"StringEquals": {"sts:ExternalId": external_id}},
            }
        ],
    }


def _join(*parts: Any) -> Any:
    """A string, or ``Fn::Join`` when a part is a CloudFormation intrinsic."""
    if all(isinstance(p, str) for p in parts):
        return "".join(parts)
    return {"Fn::Join": ["", list(parts)]}


def read_policy(target: ReadTarget) -> Document:
    """The least-privilege policy of the role: the queue, the log objects, and the key."""
    statements: list[Document] = [
        {
            "Sid": "ReadNotifications",
            "Effect": "Allow",
            "Action": list(READ_SQS_ACTIONS),
            "Resource": target.queue_arn,
        },
        {
            "Sid": "ReadLogObjects",
            "Effect": "Allow",
            "Action": "s3:GetObject",
            "Resource": _join(target.bucket_arn, f"/{target.prefix}/*"),
        },
        {
            # The connection test checks that the bucket's notifications reach the queue.
            "Sid": "CheckBucketNotifications",
            "Effect": "Allow",
            "Action": "s3:GetBucketNotification",
            "Resource": target.bucket_arn,
        },
    ]
    if target.kms_key_arn is not None:
        statements.append(
            {
                "Sid": "DecryptLogObjects",
                "Effect": "Allow",
                "Action": "kms:Decrypt",
                "Resource": target.kms_key_arn,
            }
        )
    return {"Version": "2012-10-17", "Statement": statements}


def bucket_policy(
    bucket_arn: Any,
    account: str,
    *,
    organization_id: str | None = None,
    trail_arn: Any | None = None,
) -> Document:
    """The bucket policy CloudTrail needs to check the ACL and write log files."""
    condition: Document = {"StringEquals": {"aws:SourceArn": trail_arn}} if trail_arn else {}
    write_paths = [_join(bucket_arn, f"/{LOG_PREFIX}/{account}/*")]
    if organization_id:
        write_paths.append(_join(bucket_arn, f"/{LOG_PREFIX}/{organization_id}/*"))
    write: Document = {
        "Sid": "AWSCloudTrailWrite",
        "Effect": "Allow",
        "Principal": {"Service": "cloudtrail.amazonaws.com"},
        "Action": "s3:PutObject",
        "Resource": write_paths,
        "Condition": {
            "StringEquals": {
                "s3:x-amz-acl": "bucket-owner-full-control",
                **condition.get("StringEquals", {}),
            }
        },
    }
    check: Document = {
        "Sid": "AWSCloudTrailAclCheck",
        "Effect": "Allow",
        "Principal": {"Service": "cloudtrail.amazonaws.com"},
        "Action": "s3:GetBucketAcl",
        "Resource": bucket_arn,
    }
    if condition:
        check["Condition"] = condition
    deny_insecure: Document = {
        "Sid": "DenyInsecureTransport",
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:*",
        "Resource": [bucket_arn, _join(bucket_arn, "/*")],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }
    return {"Version": "2012-10-17", "Statement": [check, write, deny_insecure]}


SOURCE_SERVICES = {"queue": "s3", "sns": "sns", "eventbridge": "events"}
_QUEUE_SIDS = {
    "queue": "AllowS3Notifications",
    "sns": "AllowSnsNotifications",
    "eventbridge": "AllowEventBridgeNotifications",
}


def queue_policy(
    queue_arn: Any,
    bucket_arn: Any,
    account: str,
    *,
    route: str = "queue",
    source_arn: Any | None = None,
    sid: str | None = None,
) -> Document:
    """The queue policy letting the route's sender (and only it) send the notifications.

    The bucket itself for the direct route; the SNS topic or the EventBridge rule
    (``source_arn``) for the others. ``sid`` names the statement when it joins an existing
    queue's policy, so that teardown finds it.
    """
    service = SOURCE_SERVICES[route]
    condition: Document = {"ArnEquals": {"aws:SourceArn": source_arn or bucket_arn}}
    if route == "queue":
        condition["StringEquals"] = {"aws:SourceAccount": account}
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": sid or _QUEUE_SIDS[route],
                "Effect": "Allow",
                "Principal": {"Service": f"{service}.amazonaws.com"},
                "Action": "sqs:SendMessage",
                "Resource": queue_arn,
                "Condition": condition,
            }
        ],
    }


def kms_key_policy(account: str, partition: str = "aws") -> Document:
    """The key policy of a trail's KMS key: the account administers it, CloudTrail encrypts."""
    root = f"arn:{partition}:iam::{account}:root"
    trails = f"arn:{partition}:cloudtrail:*:{account}:trail/*"
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "AccountAdministers",
                "Effect": "Allow",
                "Principal": {"AWS": root},
                "Action": "kms:*",
                "Resource": "*",
            },
            {
                "Sid": "CloudTrailEncrypts",
                "Effect": "Allow",
                "Principal": {"Service": "cloudtrail.amazonaws.com"},
                "Action": ["kms:GenerateDataKey*", "kms:DescribeKey"],
                "Resource": "*",
                "Condition": {"StringLike": {"kms:EncryptionContext:aws:cloudtrail:arn": trails}},
            },
        ],
    }
