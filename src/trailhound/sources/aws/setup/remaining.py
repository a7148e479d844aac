"""What stays in AWS when an integration is removed, and the command that removes it there.

Removing an integration only stops trailhound reading the queue; the queue, the role and what the
setup made beside them stay in the account until its teardown script runs.
"""

from __future__ import annotations

import re

from trailhound.sources.aws.integrations import Integration
from trailhound.sources.aws.setup.options import DEFAULT_NAME

_QUEUE_PATH = re.compile(r"/(\d{12})/([A-Za-z0-9_-]+)$")
_SUFFIX = "-cloudtrail"


def setup_prefix(queue_name: str) -> str | None:
    """The name prefix of a queue ``setup aws`` made (``<prefix>-cloudtrail``), if it is one.

    >>> setup_prefix("prod-cloudtrail"), setup_prefix("siem-feed")
    ('prod', None)
    """
    if queue_name.endswith(_SUFFIX) and re.match(r"^[a-z][a-z0-9-]{0,19}$", queue_name[:-11]):
        return queue_name[: -len(_SUFFIX)]
    return None


def remaining_resources(integration: Integration) -> str:
    """Which AWS resources remain, and the teardown command to remove them."""
    match = _QUEUE_PATH.search(integration.queue_url)
    account = match.group(1) if match else "<account>"
    prefix = setup_prefix(match.group(2)) if match else None
    lines = [
        f"These AWS resources stay in account {account}; trailhound no longer reads them:",
        f"  queue {integration.queue_url}",
    ]
    if integration.role_arn:
        lines.append(f"  role {integration.role_arn}")
    if prefix is None:
        lines.append(
            "The queue was not made by `trailhound setup aws`: remove it where it was made. If "
            "setup used it (--existing-queue), run that setup's teardown (the same options and "
            "--teardown): it removes only what setup added to the queue and the bucket."
        )
        return "\n".join(lines)
    lines.append("  and what setup made with them: dead-letter queue, trail, bucket notification,")
    lines.append("  logs bucket (and KMS key)")
    flags = f" --name-prefix {prefix}" if prefix != DEFAULT_NAME else ""
    lines += [
        "Remove them with the teardown of the same setup options (add --existing-bucket, --route"
        " as at setup; --delete-logs deletes the logs bucket too):",
        f"  trailhound setup aws --account {account} --region {integration.region}{flags} "
        "--teardown --format cli > teardown.sh && bash teardown.sh",
        "  (deployed with CloudFormation: --format cloudformation)",
    ]
    return "\n".join(lines)
