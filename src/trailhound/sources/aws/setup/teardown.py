"""Scripts that remove exactly what setup created, for the CLI and the CloudFormation variants.

Generated from the same options as the setup (same name prefix, bucket and route), they remove
the trail, our bucket notification entry (every other one stays), the EventBridge rule or SNS
subscription, the role and the queues. The logs bucket, and the KMS key without which its logs
cannot be read, stay unless ``--delete-logs`` is given; an existing bucket is never deleted.
An existing queue or trail stays too, losing only our statement, subscription or selectors (see
``existing``). A bucket's EventBridge delivery is turned off only if setup turned it on, as our
rule records (in its description, or, for the stack's rule, a tag the template's step puts on
it). Each step checks first, so a teardown can run twice.
"""

from __future__ import annotations

from trailhound.sources.aws.setup import existing
from trailhound.sources.aws.setup.cli_script import EVENTBRIDGE_TAG, TURNED_ON, TURNED_ON_TAG
from trailhound.sources.aws.setup.options import SetupError, SetupOptions
from trailhound.sources.aws.setup.script import Script, q

__all__ = ["build_teardown"]


def _check(options: SetupOptions, delete_logs: bool) -> None:
    if delete_logs and options.existing_bucket:
        raise SetupError(
            f"--delete-logs deletes only a bucket setup created; {options.existing_bucket} "
            "existed before and stays"
        )


def _keep_notice(script: Script, delete_logs: bool) -> None:
    names, options = script.names, script.options
    if options.existing_bucket:
        script.say(f"bucket {names.bucket} was there before setup: it stays")
    if options.existing_trail:
        script.say(f"trail {names.trail} was there before setup: it stays")
    elif not delete_logs:
        kept = f"bucket {names.bucket} (the logs)"
        if options.kms:
            kept += f" and KMS key {names.alias} (needed to read them)"
        script.say(f"kept {kept}: --delete-logs removes them")


def _empty_and_delete_bucket(script: Script) -> None:
    bucket = q(script.names.bucket)
    script.add(
        f"if exists aws s3api head-bucket --bucket {bucket}; then",
        "  while :; do  # every version and delete marker, 1,000 at a time",
        f"    aws s3api list-object-versions --bucket {bucket} --max-items 1000 --output json "
        "--query '{Objects: [Versions, DeleteMarkers][][].{Key: Key, VersionId: VersionId}}' "
        '> "$WORK/versions.json"',
        '    grep -q \'"Key"\' "$WORK/versions.json" || break',
        f"    aws s3api delete-objects --bucket {bucket} "
        '--delete "file://$WORK/versions.json" >/dev/null',
        "  done",
        f"  aws s3api delete-bucket --bucket {bucket}",
        f'  echo "bucket {script.names.bucket}: deleted with its logs"',
        "fi",
    )


def _delete_key(script: Script, key_lookup: str) -> None:
    script.add(
        f'if KEY_ARN=$({key_lookup}) && [ -n "$KEY_ARN" ] && [ "$KEY_ARN" != None ]; then',
        '  aws kms schedule-key-deletion --key-id "${KEY_ARN##*/}" --pending-window-in-days 7 '
        ">/dev/null 2>&1 || true  # already scheduled",
        '  echo "KMS key $KEY_ARN: deletion scheduled in 7 days"',
        "fi",
    )


def _remove_notification(script: Script) -> None:
    if script.options.touches_bucket_notification:
        script.add(f"if exists aws s3api head-bucket --bucket {q(script.names.bucket)}; then")
        script.put_notification("remove")
        script.add(f'  echo "bucket {script.names.bucket}: our notification removed"', "fi")


def _delete_rule(script: Script) -> None:
    """Delete our rule; turn the bucket's EventBridge delivery off if setup turned it on."""
    names = script.names
    rule = q(names.rule)
    script.add(
        f"if exists aws events describe-rule --name {rule}; then",
        f"  RULE_DESCRIPTION=$(aws events describe-rule --name {rule} --query Description "
        "--output text)",
        f"  aws events remove-targets --rule {rule} --ids queue >/dev/null",
        f"  aws events delete-rule --name {rule}",
        f'  echo "EventBridge rule {names.rule}: deleted"',
    )
    _eventbridge_off(script, f'[[ "$RULE_DESCRIPTION" == *"{TURNED_ON}"* ]]', "  ")
    script.add("fi")


def _eventbridge_off(script: Script, condition: str, indent: str = "") -> None:
    """Turn the bucket's EventBridge delivery off again when ``condition`` (setup turned it on)."""
    bucket = q(script.names.bucket)
    script.add(f"{indent}if {condition} && exists aws s3api head-bucket --bucket {bucket}; then")
    script.fetch_notification()
    script.add(
        f'{indent}  {script.notification_tool()} eventbridge-off "$WORK/current.json" '
        '> "$WORK/notification.json"',
        f"{indent}  aws s3api put-bucket-notification-configuration --bucket {bucket} "
        '--notification-configuration "file://$WORK/notification.json"',
        f'{indent}  echo "bucket {script.names.bucket}: EventBridge delivery off again, as before '
        'setup"',
        f"{indent}fi",
    )


def _cli_teardown(script: Script, delete_logs: bool) -> None:
    names, options = script.names, script.options
    if options.route == "sns" and options.existing_topic and names.existing_queue:
        existing.unsubscribe_existing_queue(script, options.existing_topic)
    elif options.route == "sns" and options.existing_topic:
        script.add(
            f"for sub in $(aws sns list-subscriptions-by-topic --topic-arn "
            f"{q(options.existing_topic)} --output text --query "
            f"\"Subscriptions[?Endpoint=='{names.queue_arn}'].SubscriptionArn\"); do",
            '  aws sns unsubscribe --subscription-arn "$sub"',
            '  echo "unsubscribed $sub"',
            "done",
        )
    if options.route == "eventbridge":
        _delete_rule(script)
    if options.existing_trail:
        existing.remove_trail_selectors(script)
    elif not options.existing_bucket:
        script.add(
            f"if exists aws cloudtrail get-trail --name {q(names.trail)}; then",
            f"  aws cloudtrail delete-trail --name {q(names.trail)}",
            f'  echo "trail {names.trail}: deleted"',
            "fi",
        )
    if options.existing_bucket or not delete_logs:
        _remove_notification(script)
    role = q(names.role)
    script.add(
        f"if exists aws iam get-role --role-name {role}; then",
        f"  aws iam delete-role-policy --role-name {role} --policy-name read-cloudtrail "
        "2>/dev/null || true",
        f"  aws iam delete-role --role-name {role}",
        f'  echo "role {names.role}: deleted"',
        "fi",
    )
    if names.existing_queue:
        existing.remove_queue_statement(script)
    for queue in () if names.existing_queue else (names.queue, names.dead_letter_queue):
        script.add(
            f"if url=$(aws sqs get-queue-url --queue-name {q(queue)} --query QueueUrl "
            "--output text 2>/dev/null); then",
            '  aws sqs delete-queue --queue-url "$url"',
            f'  echo "queue {queue}: deleted"',
            "fi",
        )
    if delete_logs:
        _empty_and_delete_bucket(script)
        if options.kms:
            alias = q(names.alias)
            _delete_key(
                script,
                f"aws kms describe-key --key-id {alias} --query KeyMetadata.Arn "
                "--output text 2>/dev/null",
            )
            script.add(f"aws kms delete-alias --alias-name {alias} 2>/dev/null || true")


def _stack_teardown(script: Script, delete_logs: bool) -> None:
    names, options = script.names, script.options
    stack = q(names.stack)
    if options.existing_bucket:
        _remove_notification(script)
    if options.existing_trail:
        existing.remove_trail_selectors(script)
    if names.existing_queue and options.existing_topic:
        existing.unsubscribe_existing_queue(script, options.existing_topic)
    if names.existing_queue:
        existing.remove_queue_statement(script)
    if delete_logs and options.kms:
        script.add(
            f"KEY_ARN=$(aws cloudformation describe-stacks --stack-name {stack} --query "
            "\"Stacks[0].Outputs[?OutputKey=='KmsKeyArn'].OutputValue\" --output text "
            "2>/dev/null || true)"
        )
    eventbridge = options.route == "eventbridge" and options.existing_bucket
    if eventbridge:  # the template's step tags the stack's rule when it turned delivery on
        script.add(
            f"RULE_TAG=$(aws events list-tags-for-resource --resource-arn {q(names.rule_arn)} "
            f"--query \"Tags[?Key=='{EVENTBRIDGE_TAG}'].Value\" --output text 2>/dev/null "
            "|| true)"
        )
    script.add(
        f"if exists aws cloudformation describe-stacks --stack-name {stack}; then",
        f"  aws cloudformation delete-stack --stack-name {stack}",
        f"  aws cloudformation wait stack-delete-complete --stack-name {stack}",
        f'  echo "stack {names.stack}: deleted (the bucket and KMS key are retained)"',
        "fi",
    )
    if eventbridge:
        _eventbridge_off(script, f'[ "$RULE_TAG" = {TURNED_ON_TAG} ]')
    if not options.existing_bucket and not delete_logs:
        # The retained bucket must not keep notifying the deleted queue.
        _remove_notification(script)
    if delete_logs:
        _empty_and_delete_bucket(script)
        if options.kms:
            _delete_key(script, 'echo "${KEY_ARN:-}"')


def build_teardown(
    options: SetupOptions,
    region: str = "us-east-1",
    *,
    fmt: str = "cli",
    delete_logs: bool = False,
) -> str:
    """The bash script removing what ``setup aws`` made with ``fmt`` (cli or cloudformation)."""
    _check(options, delete_logs)
    script = Script(
        options,
        region,
        f"Removes what trailhound's setup ({fmt}, prefix {options.name}) made in account "
        f"{options.account}.",
    )
    if fmt == "cloudformation":
        _stack_teardown(script, delete_logs)
    elif fmt == "cli":
        _cli_teardown(script, delete_logs)
    else:
        raise SetupError(f"teardown is generated for --format cli or cloudformation, not {fmt!r}")
    _keep_notice(script, delete_logs)
    script.say("Done.")
    return script.text()
