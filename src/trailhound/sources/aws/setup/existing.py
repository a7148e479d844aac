"""The script steps on resources that were there before setup, and their teardown.

* An existing queue (``--existing-queue``) is neither created nor deleted: our statement (its
  ``Sid`` from the name prefix) joins its policy beside the others and leaves it at teardown. On
  the SNS route the queue is subscribed only when it is not already; a queue tag records that the
  subscription is ours, so teardown removes only a subscription setup made.
* An existing trail (``--existing-trail``) is neither created nor deleted: the script first checks
  that it writes where the setup expects (bucket and key prefix), then adds our network activity
  selectors (their names start with the prefix) beside its advanced event selectors; teardown
  takes out only those.

Each step reads the current document first and, at teardown, writes nothing when our part is not
there, so the resource is left exactly as it was.
"""

from __future__ import annotations

from typing import Any

from trailhound.sources.aws.setup.options import SetupOptions
from trailhound.sources.aws.setup.policy import SOURCE_SERVICES
from trailhound.sources.aws.setup.script import Script, q
from trailhound.sources.aws.setup.selectors import event_selectors

__all__ = [
    "check_trail",
    "merge_queue_policy",
    "our_selectors",
    "put_trail_selectors",
    "remove_queue_statement",
    "remove_trail_selectors",
    "selector_marker",
    "subscribe_existing_queue",
    "subscription_tag",
    "unsubscribe_existing_queue",
]

SUBSCRIBED = "subscribed"


def selector_marker(options: SetupOptions) -> str:
    """How the names of our selectors on an existing trail start."""
    return f"{options.name}: "


def our_selectors(options: SetupOptions) -> list[dict[str, Any]]:
    """Our network activity selectors for an existing trail (its management events are its own)."""
    marker = selector_marker(options)
    return [{**s, "Name": marker + s["Name"]} for s in event_selectors(options.network)[1:]]


def subscription_tag(options: SetupOptions) -> str:
    """The existing queue's tag saying that setup made its SNS subscription."""
    return f"{options.name}-setup:sns-subscription"


def _queue_url(script: Script) -> str:
    return (
        f"aws sqs get-queue-url --queue-name {q(script.names.queue)} --query QueueUrl --output text"
    )


def check_trail(script: Script) -> None:
    """Stop unless the trail writes to the bucket and prefix expected; prepare our selectors."""
    names, options = script.names, script.options
    prefix = options.log_prefix.strip("/")
    flag = " --log-prefix '$TRAIL_PREFIX'"
    script.add(
        f"TRAIL_INFO=$(aws cloudtrail get-trail --name {q(names.trail)} "
        "--query 'Trail.[S3BucketName,S3KeyPrefix]' --output text)",
        'read -r TRAIL_BUCKET TRAIL_PREFIX <<<"$TRAIL_INFO"',
        'if [ "$TRAIL_PREFIX" = None ]; then TRAIL_PREFIX=""; fi',
        f'if [ "$TRAIL_BUCKET" != {q(names.bucket)} ] || '
        f'[ "${{TRAIL_PREFIX%/}}" != {q(prefix)} ]; then',
        f'  echo "error: trail {names.trail} writes to s3://$TRAIL_BUCKET/$TRAIL_PREFIX, not '
        f"s3://{names.bucket}/{prefix}: generate the setup again with --existing-bucket "
        f'$TRAIL_BUCKET{flag}" >&2',
        "  exit 2",
        "fi",
    )
    if options.network:
        script.document("our-selectors.json", our_selectors(options))
        script.add(
            f"aws cloudtrail get-event-selectors --trail-name {q(names.trail)} --output json "
            '> "$WORK/trail-selectors.json"',
            f'{script.documents_tool()} selectors-add "$WORK/trail-selectors.json" '
            f'"$WORK/our-selectors.json" {q(names.trail)} > "$WORK/selectors.json"',
        )


def put_trail_selectors(script: Script) -> None:
    """Write the trail's selectors with ours beside them (prepared by ``check_trail``)."""
    if not script.options.network:
        return
    trail = script.names.trail
    script.add(
        f"aws cloudtrail put-event-selectors --trail-name {q(trail)} "
        '--advanced-event-selectors "file://$WORK/selectors.json" >/dev/null'
    )
    script.say(f"trail {trail}: our network activity selectors set beside its own")


def remove_trail_selectors(script: Script) -> None:
    """Take our selectors out of the trail's; write nothing when none is there."""
    trail = q(script.names.trail)
    tool = script.documents_tool()
    script.add(
        f"if exists aws cloudtrail get-trail --name {trail}; then",
        f"  aws cloudtrail get-event-selectors --trail-name {trail} --output json "
        '> "$WORK/trail-selectors.json"',
        f'  if {tool} selectors-remove "$WORK/trail-selectors.json" '
        f'{q(selector_marker(script.options))} > "$WORK/selectors.json"; then',
        f"    aws cloudtrail put-event-selectors --trail-name {trail} "
        '--advanced-event-selectors "file://$WORK/selectors.json" >/dev/null',
        f'    echo "trail {script.names.trail}: our network activity selectors removed"',
        "  fi",
        "fi",
    )


def merge_queue_policy(script: Script, docs: dict[str, Any]) -> None:
    """Find the existing queue and add our statement to its policy beside the others."""
    names, options = script.names, script.options
    script.document("queue-statement.json", docs["queue_policy"]["Statement"][0])
    script.add(
        f"QUEUE_URL=$({_queue_url(script)})",
        'aws sqs get-queue-attributes --queue-url "$QUEUE_URL" --attribute-names Policy '
        '--output json > "$WORK/queue-policy.json"',
        f'{script.documents_tool()} policy-add "$WORK/queue-policy.json" '
        '"$WORK/queue-statement.json" > "$WORK/queue-attributes.json"',
        'aws sqs set-queue-attributes --queue-url "$QUEUE_URL" '
        '--attributes "file://$WORK/queue-attributes.json"',
        # A customer-managed key on the queue needs grants setup cannot make for its owner.
        'QUEUE_KEY=$(aws sqs get-queue-attributes --queue-url "$QUEUE_URL" --attribute-names '
        "KmsMasterKeyId --query Attributes.KmsMasterKeyId --output text)",
        'if [ -n "$QUEUE_KEY" ] && [ "$QUEUE_KEY" != None ]; then',
        '  echo "note: the queue is encrypted with KMS key $QUEUE_KEY: its key policy must let '
        f"{SOURCE_SERVICES[options.route]}.amazonaws.com use it "
        f'(kms:GenerateDataKey) and role {names.role} decrypt (kms:Decrypt)" >&2',
        "fi",
    )
    script.say(
        f"queue $QUEUE_URL: statement {options.statement_id} in its policy, beside the others"
    )


def remove_queue_statement(script: Script) -> None:
    """Take our statement out of the existing queue's policy; the queue stays."""
    sid = script.options.statement_id
    script.add(
        f"if QUEUE_URL=$({_queue_url(script)} 2>/dev/null); then",
        '  aws sqs get-queue-attributes --queue-url "$QUEUE_URL" --attribute-names Policy '
        '--output json > "$WORK/queue-policy.json"',
        f'  if {script.documents_tool()} policy-remove "$WORK/queue-policy.json" {q(sid)} '
        '> "$WORK/queue-attributes.json"; then',
        '    aws sqs set-queue-attributes --queue-url "$QUEUE_URL" '
        '--attributes "file://$WORK/queue-attributes.json"',
        f'    echo "queue $QUEUE_URL: statement {sid} removed; the queue was there before '
        'setup and stays"',
        "  fi",
        "fi",
    )


def _subscriptions(script: Script, topic: str) -> str:
    return (
        f"aws sns list-subscriptions-by-topic --topic-arn {q(topic)} --output text --query "
        f"\"Subscriptions[?Endpoint=='{script.names.queue_arn}'].SubscriptionArn\""
    )


def subscribe_existing_queue(script: Script, topic: str) -> None:
    """Subscribe the existing queue unless it already is; tag the queue when setup did it."""
    tag = q(f"{subscription_tag(script.options)}={SUBSCRIBED}")
    script.add(
        f'if [ -z "$({_subscriptions(script, topic)})" ]; then',
        f"  aws sns subscribe --topic-arn {q(topic)} --protocol sqs "
        f"--notification-endpoint {q(script.names.queue_arn)} >/dev/null",
        f'  aws sqs tag-queue --queue-url "$QUEUE_URL" --tags {tag}',
        f'  echo "queue subscribed to {topic}"',
        "else",
        f'  echo "queue already subscribed to {topic}"',
        "fi",
    )


def unsubscribe_existing_queue(script: Script, topic: str) -> None:
    """Remove the subscription only if setup made it (the queue's tag says so), and the tag."""
    tag = subscription_tag(script.options)
    script.add(
        f"if QUEUE_URL=$({_queue_url(script)} 2>/dev/null) && "
        f'[ "$(aws sqs list-queue-tags --queue-url "$QUEUE_URL" '
        f'--query \'Tags."{tag}"\' --output text)" = {SUBSCRIBED} ]; then',
        f"  for sub in $({_subscriptions(script, topic)}); do",
        '    aws sns unsubscribe --subscription-arn "$sub"',
        '    echo "unsubscribed $sub"',
        "  done",
        f'  aws sqs untag-queue --queue-url "$QUEUE_URL" --tag-keys {q(tag)}',
        "fi",
    )
