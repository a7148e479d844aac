"""The AWS CLI script equivalent of the CloudFormation template, and the bare policy documents.

The script is assembled from lines and JSON documents (``json.dumps`` of the same dicts the
template uses), each written to a file with a quoted heredoc so that the shell expands nothing in
it except, where the KMS key's ARN is only known at run time, ``${KEY_ARN}``.
"""

from __future__ import annotations

import json
import shlex
from dataclasses import dataclass
from typing import Any

from trailhound.setup_aws import policy
from trailhound.setup_aws.cloudformation import (
    SetupOptions,
    event_selectors,
    notification_configuration,
)

KEY_ARN_VARIABLE = "${KEY_ARN}"


@dataclass(frozen=True, slots=True)
class Names:
    """The concrete names and ARNs the script creates or uses."""

    bucket: str
    queue: str
    queue_arn: str
    bucket_arn: str
    role: str
    trail: str


def names_for(options: SetupOptions, region: str) -> Names:
    """The names of the resources for ``options`` in ``region``."""
    bucket = options.existing_bucket or f"{options.name}-cloudtrail-{options.account}-{region}"
    queue = f"{options.name}-cloudtrail"
    return Names(
        bucket=bucket,
        queue=queue,
        queue_arn=f"arn:{options.partition}:sqs:{region}:{options.account}:{queue}",
        bucket_arn=f"arn:{options.partition}:s3:::{bucket}",
        role=f"{options.name}-reader",
        trail=options.name,
    )


def build_policies(
    options: SetupOptions, region: str, *, kms_key_arn: str | None = None
) -> dict[str, Any]:
    """Every policy document, with concrete ARNs: what ``--format policy`` prints."""
    names = names_for(options, region)
    key = kms_key_arn or (KEY_ARN_VARIABLE if options.kms else None)
    documents: dict[str, Any] = {
        "role_name": names.role,
        "trust_policy": policy.trust_policy(
            options.operator, options.external_id, options.partition
        ),
        "read_policy": policy.read_policy(
            policy.ReadTarget(names.queue_arn, names.bucket_arn, key)
        ),
        "queue_policy": policy.queue_policy(names.queue_arn, names.bucket_arn, options.account),
    }
    if not options.existing_bucket:
        documents["bucket_policy"] = policy.bucket_policy(
            names.bucket_arn, options.account, organization_id=options.organization_id
        )
    if options.kms:
        documents["kms_key_policy"] = policy.kms_key_policy(options.account, options.partition)
    return documents


def _document(lines: list[str], filename: str, document: Any, *, expand: bool = False) -> str:
    """Append the lines writing ``document`` to ``$WORK/filename``; returns its file:// URL."""
    marker = "JSON" if expand else "'JSON'"
    lines += [f'cat > "$WORK/{filename}" <<{marker}', json.dumps(document, indent=2), "JSON"]
    return f'"file://$WORK/{filename}"'


def build_script(options: SetupOptions, region: str = "us-east-1") -> str:
    """A bash script that makes the same resources as the template with the AWS CLI."""
    names = names_for(options, region)
    docs = build_policies(options, region)
    q = shlex.quote
    lines = [
        "#!/usr/bin/env bash",
        "set -euo pipefail",
        f"# Connects account {options.account} to trailhound. Run it with administrator rights in",
        "# that account (the organization's management account for an organization trail).",
        f"export AWS_DEFAULT_REGION={q(region)}",
        'WORK="$(mktemp -d)"',
        "trap 'rm -rf \"$WORK\"' EXIT",
        f"EXTERNAL_ID={q(options.external_id)}  # keep it secret: give it only to trailhound",
    ]
    if options.kms:
        kms_policy = _document(lines, "key-policy.json", docs["kms_key_policy"])
        lines += [
            f"KEY_ARN=$(aws kms create-key --policy {kms_policy} --description "
            "'CloudTrail logs read by trailhound' --query KeyMetadata.Arn --output text)",
            'aws kms enable-key-rotation --key-id "$KEY_ARN"',
        ]
    attributes = {
        "VisibilityTimeout": "300",
        "MessageRetentionPeriod": "1209600",
        "ReceiveMessageWaitTimeSeconds": "20",
        "SqsManagedSseEnabled": "true",
        "Policy": json.dumps(docs["queue_policy"]),
    }
    queue_attributes = _document(lines, "queue-attributes.json", attributes)
    lines += [
        f"QUEUE_URL=$(aws sqs create-queue --queue-name {q(names.queue)} "
        f"--attributes {queue_attributes} --query QueueUrl --output text)"
    ]
    if not options.existing_bucket:
        bucket_policy = _document(lines, "bucket-policy.json", docs["bucket_policy"])
        location = (
            ""
            if region == "us-east-1"
            else f" --create-bucket-configuration LocationConstraint={q(region)}"
        )
        lines += [
            f"aws s3api create-bucket --bucket {q(names.bucket)}{location}",
            f"aws s3api put-public-access-block --bucket {q(names.bucket)} "
            "--public-access-block-configuration BlockPublicAcls=true,IgnorePublicAcls=true,"
            "BlockPublicPolicy=true,RestrictPublicBuckets=true",
            f"aws s3api put-bucket-policy --bucket {q(names.bucket)} --policy {bucket_policy}",
        ]
    notification = notification_configuration(names.queue_arn)
    config = notification["QueueConfigurations"][0]
    api_notification = {
        "QueueConfigurations": [
            {
                "QueueArn": config["Queue"],
                "Events": [config["Event"]],
                "Filter": {"Key": {"FilterRules": config["Filter"]["S3Key"]["Rules"]}},
            }
        ]
    }
    notification_file = _document(lines, "notification.json", api_notification)
    lines += [
        f"aws s3api put-bucket-notification-configuration --bucket {q(names.bucket)} "
        f"--notification-configuration {notification_file}"
    ]
    if not options.existing_bucket:
        flags = " --is-organization-trail" if options.organization else ""
        flags += ' --kms-key-id "$KEY_ARN"' if options.kms else ""
        selectors = _document(lines, "selectors.json", event_selectors(options.network_activity))
        lines += [
            f"aws cloudtrail create-trail --name {q(names.trail)} --s3-bucket-name "
            f"{q(names.bucket)} --is-multi-region-trail --include-global-service-events "
            f"--enable-log-file-validation{flags}",
            f"aws cloudtrail put-event-selectors --trail-name {q(names.trail)} "
            f"--advanced-event-selectors {selectors}",
            f"aws cloudtrail start-logging --name {q(names.trail)}",
        ]
    trust = _document(lines, "trust.json", docs["trust_policy"])
    read = _document(lines, "read.json", docs["read_policy"], expand=options.kms)
    lines += [
        f"ROLE_ARN=$(aws iam create-role --role-name {q(names.role)} --assume-role-policy-document "
        f"{trust} --max-session-duration 3600 --query Role.Arn --output text)",
        f"aws iam put-role-policy --role-name {q(names.role)} --policy-name read-cloudtrail "
        f"--policy-document {read}",
        'echo "Done. On the trailhound host run:"',
        f'echo "  trailhound integration add {options.account} --queue-url $QUEUE_URL '
        f'--role-arn $ROLE_ARN --external-id <the EXTERNAL_ID above> --region {region}"',
    ]
    return "\n".join(lines) + "\n"
