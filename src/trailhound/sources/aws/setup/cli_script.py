"""The AWS CLI script equivalent of the CloudFormation template, and the bare policy documents.

The script is assembled from lines and JSON documents (``json.dumps`` of the same dicts the
template uses), each written to a file with a quoted heredoc so that the shell expands nothing in
it except, where the KMS key's ARN is only known at run time, ``${KEY_ARN}``.

It can run twice: it first checks that the credentials belong to ``--account``, then creates what
is missing and updates what exists (queues, bucket settings, trail, role, policies). An existing
bucket's notification configuration is read and our entry added beside the others (see
``bucket_notification``); when another entry overlaps, the script stops before creating
anything. An existing queue or trail is used, never replaced (see ``existing``). Teardown
scripts live in ``teardown``.
"""

from __future__ import annotations

import json
from typing import Any

from trailhound.sources.aws.setup import existing, policy
from trailhound.sources.aws.setup.cloudformation import notification_step
from trailhound.sources.aws.setup.options import Names, SetupOptions, names_for
from trailhound.sources.aws.setup.script import KEY_ARN_VARIABLE, Script, q
from trailhound.sources.aws.setup.selectors import event_selectors

__all__ = [
    "KEY_ARN_VARIABLE",
    "Names",
    "Script",
    "build_notification_script",
    "build_policies",
    "build_script",
    "q",
]


def queue_policy(options: SetupOptions, names: Names) -> dict[str, Any]:
    """The queue's policy (for an existing queue: the one statement that joins its policy)."""
    source = {"sns": options.existing_topic, "eventbridge": names.rule_arn}.get(options.route)
    return policy.queue_policy(
        names.queue_arn,
        names.bucket_arn,
        options.account,
        route=options.route,
        source_arn=source,
        sid=options.statement_id if options.existing_queue else None,
    )


def build_policies(
    options: SetupOptions, region: str, *, kms_key_arn: str | None = None
) -> dict[str, Any]:
    """Every policy document, with concrete ARNs: what ``--format policy`` prints."""
    names = names_for(options, region)
    key = kms_key_arn or options.kms_key_arn or (KEY_ARN_VARIABLE if options.kms else None)
    documents: dict[str, Any] = {
        "role_name": names.role,
        "trust_policy": policy.trust_policy(
            options.trusted, options.external_id, options.partition
        ),
        "read_policy": policy.read_policy(
            policy.ReadTarget(
                names.queue_arn, names.bucket_arn, key, options.object_prefix.rstrip("/")
            )
        ),
        "queue_policy": queue_policy(options, names),
    }
    if options.existing_queue:
        documents["queue_policy_note"] = (
            f"add this statement to the policy of queue {names.queue} beside its others "
            "(SetQueueAttributes replaces the whole policy); teardown removes it by its Sid"
        )
    if options.existing_trail:
        if options.network:
            documents["advanced_event_selectors"] = existing.our_selectors(options)
            documents["advanced_event_selectors_note"] = (
                f"add these selectors to trail {names.trail}'s advanced event selectors beside "
                "its own (PutEventSelectors replaces them all); teardown removes them by name"
            )
    elif not options.existing_bucket:
        documents["bucket_policy"] = policy.bucket_policy(
            names.bucket_arn, options.account, organization_id=options.organization_id
        )
        documents["advanced_event_selectors"] = event_selectors(options.network)
    if options.kms:
        documents["kms_key_policy"] = policy.kms_key_policy(options.account, options.partition)
    return documents


def _kms(script: Script, docs: dict[str, Any]) -> None:
    names = script.names
    if script.options.kms_key_arn:
        script.add(f"KEY_ARN={q(script.options.kms_key_arn)}")
        return
    key_policy = script.document("key-policy.json", docs["kms_key_policy"])
    script.add(
        f"if KEY_ARN=$(aws kms describe-key --key-id {q(names.alias)} "
        "--query KeyMetadata.Arn --output text 2>/dev/null); then",
        f'  aws kms put-key-policy --key-id "$KEY_ARN" --policy-name default --policy {key_policy}',
        '  echo "KMS key $KEY_ARN: policy updated"',
        "else",
        f"  KEY_ARN=$(aws kms create-key --policy {key_policy} --description "
        "'CloudTrail logs read by trailhound' --query KeyMetadata.Arn --output text)",
        f'  aws kms create-alias --alias-name {q(names.alias)} --target-key-id "$KEY_ARN"',
        '  echo "KMS key $KEY_ARN: created"',
        "fi",
        'aws kms enable-key-rotation --key-id "$KEY_ARN"',
    )


def _queues(script: Script, docs: dict[str, Any]) -> None:
    names = script.names
    if names.existing_queue:
        existing.merge_queue_policy(script, docs)
        return
    # create-queue returns the existing queue when the attributes match; else update them.
    script.add(
        "queue() {  # NAME ATTRIBUTES-FILE: create the queue, or update an existing one",
        "  local url",
        '  if url=$(aws sqs create-queue --queue-name "$1" --attributes "$2" '
        '--query QueueUrl --output text 2>"$WORK/err"); then echo "$url"; return; fi',
        '  grep -q QueueAlreadyExists "$WORK/err" || { cat "$WORK/err" >&2; return 1; }',
        '  url=$(aws sqs get-queue-url --queue-name "$1" --query QueueUrl --output text)',
        '  aws sqs set-queue-attributes --queue-url "$url" --attributes "$2"',
        '  echo "$url"',
        "}",
    )
    dead_letter = script.document(
        "dlq-attributes.json",
        {"MessageRetentionPeriod": "1209600", "SqsManagedSseEnabled": "true"},
    )
    attributes = {
        "VisibilityTimeout": "300",
        "MessageRetentionPeriod": "1209600",
        "ReceiveMessageWaitTimeSeconds": "20",
        "SqsManagedSseEnabled": "true",
        "RedrivePolicy": json.dumps(
            {"deadLetterTargetArn": names.dead_letter_queue_arn, "maxReceiveCount": 10}
        ),
        "Policy": json.dumps(docs["queue_policy"]),
    }
    queue_attributes = script.document("queue-attributes.json", attributes)
    script.add(
        f"queue {q(names.dead_letter_queue)} {dead_letter} >/dev/null",
        f"QUEUE_URL=$(queue {q(names.queue)} {queue_attributes})",
        'echo "queue $QUEUE_URL: ready"',
    )


def _bucket(script: Script, docs: dict[str, Any]) -> None:
    names, region = script.names, script.names.region
    bucket = q(names.bucket)
    location = (
        ""
        if region == "us-east-1"
        else f" --create-bucket-configuration LocationConstraint={region}"
    )
    encryption: dict[str, Any] = {"SSEAlgorithm": "AES256"}
    if script.options.encrypted:
        encryption = {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": KEY_ARN_VARIABLE}
    encryption_file = script.document(
        "encryption.json",
        {"Rules": [{"ApplyServerSideEncryptionByDefault": encryption, "BucketKeyEnabled": True}]},
        expand=script.options.encrypted,
    )
    bucket_policy = script.document("bucket-policy.json", docs["bucket_policy"])
    script.add(
        f"if exists aws s3api head-bucket --bucket {bucket}; then",
        f'  echo "bucket {names.bucket}: exists, settings updated"',
        "else",
        f"  aws s3api create-bucket --bucket {bucket}{location} >/dev/null",
        f'  echo "bucket {names.bucket}: created"',
        "fi",
        f"aws s3api put-public-access-block --bucket {bucket} "
        "--public-access-block-configuration BlockPublicAcls=true,IgnorePublicAcls=true,"
        "BlockPublicPolicy=true,RestrictPublicBuckets=true",
        f"aws s3api put-bucket-encryption --bucket {bucket} "
        f"--server-side-encryption-configuration {encryption_file}",
        f"aws s3api put-bucket-versioning --bucket {bucket} "
        "--versioning-configuration Status=Enabled",
        f"aws s3api put-bucket-policy --bucket {bucket} --policy {bucket_policy}",
    )


RULE_DESCRIPTION = "CloudTrail log files for trailhound"
TURNED_ON = "setup turned on EventBridge delivery of the bucket"  # then teardown turns it off
# The template's rule cannot carry that in its description: the step tags it instead.
EVENTBRIDGE_TAG = "trailhound-setup:eventbridge-delivery"
TURNED_ON_TAG = "turned-on"


def _rule_description(script: Script) -> None:
    """``$DESCRIPTION`` of the rule, recording whether setup turns EventBridge delivery on."""
    rule = q(script.names.rule)
    script.fetch_notification()
    script.add(
        f'DESCRIPTION="{RULE_DESCRIPTION}"',
        f'if ! {script.notification_tool()} eventbridge-on "$WORK/current.json" || '
        f'[ "$(aws events describe-rule --name {rule} --query Description --output text '
        f'2>/dev/null || true)" = "{RULE_DESCRIPTION}; {TURNED_ON}" ]; then',
        f'  DESCRIPTION="{RULE_DESCRIPTION}; {TURNED_ON}"',
        "fi",
    )


def _route(script: Script) -> None:
    names, options = script.names, script.options
    if options.route == "eventbridge":
        _rule_description(script)
    if options.touches_bucket_notification:
        script.put_notification()
        script.say(f"bucket {names.bucket}: notification {names.notification_id} set")
    if options.route == "eventbridge":
        pattern = script.document(
            "pattern.json",
            {
                "source": ["aws.s3"],
                "detail-type": ["Object Created"],
                "detail": {
                    "bucket": {"name": [names.bucket]},
                    "object": {"key": [{"prefix": options.object_prefix}]},
                },
            },
        )
        script.add(
            f"aws events put-rule --name {q(names.rule)} --event-pattern {pattern} "
            '--description "$DESCRIPTION" >/dev/null',
            f"aws events put-targets --rule {q(names.rule)} "
            f"--targets Id=queue,Arn={q(names.queue_arn)} >/dev/null",
        )
        script.say(f"EventBridge rule {names.rule}: set")
    elif options.route == "sns" and options.existing_topic and names.existing_queue:
        existing.subscribe_existing_queue(script, options.existing_topic)
    elif options.route == "sns" and options.existing_topic:
        script.add(
            f"aws sns subscribe --topic-arn {q(options.existing_topic)} --protocol sqs "
            f"--notification-endpoint {q(names.queue_arn)} >/dev/null"
        )
        script.say(f"queue subscribed to {options.existing_topic}")


def _trail(script: Script) -> None:
    names, options = script.names, script.options
    flags = " --is-organization-trail" if options.organization else ""
    flags += ' --kms-key-id "$KEY_ARN"' if options.encrypted else ""
    common = (
        f"--name {q(names.trail)} --s3-bucket-name {q(names.bucket)} --is-multi-region-trail "
        f"--include-global-service-events --enable-log-file-validation{flags} >/dev/null"
    )
    selectors = script.document("selectors.json", event_selectors(options.network))
    script.add(
        f"if exists aws cloudtrail get-trail --name {q(names.trail)}; then",
        f"  aws cloudtrail update-trail {common}",
        "else",
        f"  aws cloudtrail create-trail {common}",
        "fi",
        f"aws cloudtrail put-event-selectors --trail-name {q(names.trail)} "
        f"--advanced-event-selectors {selectors} >/dev/null",
        f"aws cloudtrail start-logging --name {q(names.trail)}",
    )
    script.say(f"trail {names.trail}: logging")


def _role(script: Script, docs: dict[str, Any]) -> None:
    names = script.names
    role = q(names.role)
    trust = script.document("trust.json", docs["trust_policy"])
    read = script.document("read.json", docs["read_policy"], expand=script.options.kms)
    script.add(
        f"if exists aws iam get-role --role-name {role}; then",
        f"  aws iam update-assume-role-policy --role-name {role} --policy-document {trust}",
        "else",
        f"  aws iam create-role --role-name {role} --assume-role-policy-document {trust} "
        "--max-session-duration 3600 >/dev/null",
        "fi",
        f"aws iam put-role-policy --role-name {role} --policy-name read-cloudtrail "
        f"--policy-document {read}",
        f"ROLE_ARN=arn:{names.partition}:iam::{names.account}:role/{names.role}",
    )
    script.say(f"role {names.role}: ready")


def build_script(options: SetupOptions, region: str = "us-east-1") -> str:
    """A bash script that makes the same resources as the template with the AWS CLI."""
    script = Script(options, region, f"Connects account {options.account} to trailhound.")
    docs = build_policies(options, region)
    script.add(
        f"EXTERNAL_ID={q(options.external_id)}  # keep it secret: give it only to trailhound"
    )
    if options.existing_bucket and options.touches_bucket_notification:
        # Refuse an overlapping notification before anything is created.
        tool = script.notification_tool()
        script.fetch_notification()
        script.add(f'{tool} check "$WORK/current.json" {script.notification_arguments()}')
    if options.existing_trail:
        existing.check_trail(script)  # and our selectors merged, before anything is changed
    if options.encrypted:
        _kms(script, docs)
    _queues(script, docs)
    if not options.existing_bucket:
        _bucket(script, docs)
    _route(script)
    if options.existing_trail:
        existing.put_trail_selectors(script)
    elif not options.existing_bucket:
        _trail(script)
    _role(script, docs)
    script.add(
        'echo "Done. On the trailhound host run:"',
        f'echo "  trailhound integration add {options.account} --queue-url $QUEUE_URL '
        f'--role-arn $ROLE_ARN --external-id <the EXTERNAL_ID above> --region {region}"',
    )
    return script.text()


def build_notification_script(options: SetupOptions, region: str = "us-east-1") -> str:
    """The step after deploying the template: what it cannot change on existing resources.

    Our notification beside the bucket's others, our statement in an existing queue's policy,
    our selectors beside an existing trail's.
    """
    script = Script(
        options,
        region,
        "Adds trailhound's part to resources the stack did not create, beside what is there.",
    )
    names = script.names
    if options.existing_trail:
        existing.check_trail(script)
    if names.existing_queue:
        existing.merge_queue_policy(script, {"queue_policy": queue_policy(options, names)})
    if options.route == "eventbridge":  # record on the stack's rule whether we turn it on
        script.fetch_notification()
        script.add(
            f'if ! {script.notification_tool()} eventbridge-on "$WORK/current.json"; then',
            f"  aws events tag-resource --resource-arn {q(names.rule_arn)} "
            f"--tags Key={EVENTBRIDGE_TAG},Value={TURNED_ON_TAG}",
            "fi",
        )
    if options.touches_bucket_notification:
        script.put_notification()
        script.say(f"bucket {names.bucket}: notification {names.notification_id} set")
    elif names.existing_queue and options.existing_topic:
        existing.subscribe_existing_queue(script, options.existing_topic)
    if options.existing_trail:
        existing.put_trail_selectors(script)
    if not (names.existing_queue or options.touches_bucket_notification or options.network):
        script.say("nothing to do: the SNS route does not change the bucket")
    return script.text()


def deploy_hint(options: SetupOptions, region: str, template_file: str) -> str:
    """The command that deploys the template, and the extra step it may need."""
    profile = f" --profile {q(options.profile)}" if options.profile else ""
    lines = [
        f"aws cloudformation deploy --stack-name {names_for(options, region).stack} "
        f"--template-file {template_file} --region {region}{profile} "
        "--parameter-overrides ExternalId=<the external ID> --capabilities CAPABILITY_NAMED_IAM"
    ]
    step = notification_step(options, region)
    if step:
        lines.append(f"then, as the stack cannot change existing resources: {step}")
    return "\n".join(lines)
