"""What to generate onboarding material for, validated, and the names of what it creates.

Every name starts with the name prefix (``--name-prefix``, default ``trailhound``), so two setups
coexist in one account, and the teardown finds exactly what its setup made.

Routes from the bucket to the queue:

* ``queue`` — the bucket notifies the queue directly (added beside the bucket's other
  notifications, never replacing them);
* ``sns`` — the bucket already notifies an SNS topic (``--existing-topic``): the queue subscribes
  to it, and the bucket is not touched;
* ``eventbridge`` — the bucket sends its events to EventBridge too, and a rule forwards the log
  files' to the queue; this never conflicts with the bucket's other notifications.

Existing resources are used, never replaced: ``--existing-queue`` (no queue is created; our
statement is merged into its policy beside the others), ``--existing-trail`` (no trail or bucket is
created; its bucket, key prefix and KMS key are the ones read, and network activity selectors are
merged into its advanced event selectors), ``--existing-topic`` and ``--kms-key``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from trailhound.errors import TrailhoundError
from trailhound.sources.aws.setup import policy
from trailhound.sources.aws.setup.selectors import NetworkSelector, SelectorError, network_selectors

ROUTES = ("queue", "sns", "eventbridge")
DEFAULT_NAME = "trailhound"
_ACCOUNT = re.compile(r"^\d{12}$")
_NAME = re.compile(r"^[a-z][a-z0-9-]{0,19}$")  # short enough for the bucket name's 63 characters
_TOPIC = re.compile(r"^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$")
_KEY = re.compile(r"^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:(key|alias)/[A-Za-z0-9/_-]+$")
_BUCKET = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
_QUEUE_ARN = re.compile(
    r"^arn:(aws[a-z-]*):sqs:([a-z0-9-]+):(\d{12}):([A-Za-z0-9_-]{1,80}(\.fifo)?)$"
)
_QUEUE_URL = re.compile(
    r"^https?://(?:sqs\.([a-z0-9-]+)\.[a-z0-9.]+|[A-Za-z0-9.:-]+)/(\d{12})/"
    r"([A-Za-z0-9_-]{1,80}(\.fifo)?)$"
)
_TRAIL_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{2,127}$")
_TRAIL_ARN = re.compile(
    r"^arn:aws[a-z-]*:cloudtrail:[a-z0-9-]+:\d{12}:trail/([A-Za-z0-9._-]{3,128})$"
)
_PREFIX = re.compile(r"^[A-Za-z0-9!_.*'()/-]{1,200}$")


class SetupError(TrailhoundError):
    """The setup options do not make a valid configuration."""


@dataclass(frozen=True, slots=True)
class SetupOptions:
    """What to generate the onboarding material for."""

    account: str  # the monitored (or management) account
    operator: str | None  # the account (or principal ARN) trailhound runs in; None: teardown only
    external_id: str = field(default_factory=policy.generate_external_id, repr=False)
    organization_id: str | None = None  # o-…: an organization trail from the management account
    existing_bucket: str | None = None
    kms: bool = False  # a new KMS key for the trail
    network_activity: str | None = None  # None, "all", or "denied" (VPC endpoint access denied)
    partition: str = "aws"
    name: str = DEFAULT_NAME  # the prefix of every name
    selectors: tuple[str, ...] = ()  # --network-activity-selector texts
    route: str = "queue"
    existing_topic: str | None = None  # the SNS topic the existing bucket notifies
    kms_key_arn: str | None = None  # an existing key the logs are encrypted with
    profile: str | None = None  # the AWS CLI profile the scripts run with
    existing_queue: str | None = None  # the ARN or URL of a queue to use instead of a new one
    existing_trail: str | None = None  # the name or ARN of a trail to use instead of a new one
    log_prefix: str = ""  # the S3 key prefix the (existing) trail writes under, if any
    network: tuple[NetworkSelector, ...] = field(init=False, default=())

    def __post_init__(self) -> None:
        if not _ACCOUNT.match(self.account):
            raise SetupError(f"not a 12-digit AWS account ID: {self.account!r}")
        if self.operator is not None and not (
            _ACCOUNT.match(self.operator) or self.operator.startswith("arn:")
        ):
            raise SetupError(f"the operator must be an account ID or an ARN: {self.operator!r}")
        if len(self.external_id) < 16:
            raise SetupError("the external ID must be at least 16 characters")
        if not _NAME.match(self.name):
            raise SetupError(
                f"bad name prefix {self.name!r}: a lowercase letter, then up to 19 lowercase "
                "letters, digits or '-'"
            )
        if self.existing_bucket is not None and not _BUCKET.match(self.existing_bucket):
            raise SetupError(f"not an S3 bucket name: {self.existing_bucket!r}")
        self._check_route()
        self._check_existing()
        if self.kms and self.kms_key_arn:
            raise SetupError("give --kms (a new key) or --kms-key ARN (an existing one), not both")
        if self.kms_key_arn is not None and not _KEY.match(self.kms_key_arn):
            raise SetupError(f"not a KMS key ARN: {self.kms_key_arn!r}")
        try:
            chosen = network_selectors(self.network_activity, self.selectors)
        except SelectorError as error:
            raise SetupError(str(error)) from error
        object.__setattr__(self, "network", chosen)

    def _check_route(self) -> None:
        if self.route not in ROUTES:
            raise SetupError(f"the route is one of {', '.join(ROUTES)}, not {self.route!r}")
        if self.existing_topic is not None:
            if not _TOPIC.match(self.existing_topic):
                raise SetupError(f"not an SNS topic ARN: {self.existing_topic!r}")
            if self.route != "sns":
                raise SetupError("--existing-topic goes with --route sns")
        if self.route == "sns" and (self.existing_topic is None or self.existing_bucket is None):
            raise SetupError(
                "--route sns subscribes the queue to the topic an existing bucket notifies: "
                "give --existing-bucket and --existing-topic"
            )

    def _check_existing(self) -> None:
        if self.existing_queue is not None:
            region, account, _ = parse_queue(self.existing_queue)
            if account != self.account:
                raise SetupError(
                    f"the queue {self.existing_queue} is in account {account}, not {self.account}: "
                    "setup changes its policy with the account's credentials"
                )
            del region  # checked against --region where the names are made
        if self.existing_trail is not None:
            trail_name(self.existing_trail)
            if self.existing_bucket is None:
                raise SetupError(
                    "--existing-trail needs the trail's bucket: give --existing-bucket (the "
                    "setup command looks it up when it can reach the account)"
                )
            if self.organization_id is not None:
                raise SetupError("--organization creates a trail: not with --existing-trail")
            if self.kms:
                raise SetupError(
                    "--kms creates a key for a new trail: with --existing-trail, --kms-key names "
                    "the key the trail uses"
                )
        if self.log_prefix and not _PREFIX.match(self.log_prefix.strip("/")):
            raise SetupError(f"not an S3 key prefix: {self.log_prefix!r}")

    @property
    def object_prefix(self) -> str:
        """The key prefix of the log objects: ``AWSLogs/``, after the trail's own prefix if any."""
        own = self.log_prefix.strip("/")
        return f"{own}/{policy.LOG_PREFIX}/" if own else f"{policy.LOG_PREFIX}/"

    @property
    def statement_id(self) -> str:
        """The ``Sid`` of our statement in an existing queue's policy (letters and digits)."""
        return "".join(part.capitalize() for part in self.name.split("-")) + "ReadsCloudTrail"

    @property
    def organization(self) -> bool:
        """Whether the trail covers the whole organization."""
        return self.organization_id is not None

    @property
    def trusted(self) -> str:
        """The operator the role trusts; setup (not teardown) needs one."""
        if self.operator is None:
            raise SetupError("give --operator-account: the account trailhound runs in")
        return self.operator

    @property
    def encrypted(self) -> bool:
        """Whether the log objects are encrypted with a KMS key (new or existing)."""
        return self.kms or self.kms_key_arn is not None

    @property
    def touches_bucket_notification(self) -> bool:
        """Whether setup changes the bucket's notification configuration (not so for SNS)."""
        return self.route != "sns"


@dataclass(frozen=True, slots=True)
class Names:
    """The names of what setup creates (and teardown removes) in one region."""

    bucket: str
    queue: str
    dead_letter_queue: str
    role: str
    trail: str
    rule: str  # the EventBridge rule
    alias: str  # the new KMS key's alias
    notification_id: str  # our entry in the bucket's notification configuration
    stack: str
    region: str
    account: str
    partition: str
    existing_queue: bool = False  # the queue was there before setup: only our statement is ours
    existing_trail: bool = False  # likewise the trail: only our selectors are ours

    def arn(self, service: str, resource: str) -> str:
        """The ARN of ``resource`` of ``service`` in this region and account."""
        return f"arn:{self.partition}:{service}:{self.region}:{self.account}:{resource}"

    @property
    def queue_arn(self) -> str:
        """The notification queue's ARN."""
        return self.arn("sqs", self.queue)

    @property
    def queue_url(self) -> str:
        """The notification queue's URL on the standard endpoint."""
        return f"https://sqs.{self.region}.amazonaws.com/{self.account}/{self.queue}"

    @property
    def dead_letter_queue_arn(self) -> str:
        """The dead-letter queue's ARN."""
        return self.arn("sqs", self.dead_letter_queue)

    @property
    def bucket_arn(self) -> str:
        """The log bucket's ARN."""
        return f"arn:{self.partition}:s3:::{self.bucket}"

    @property
    def rule_arn(self) -> str:
        """The EventBridge rule's ARN."""
        return self.arn("events", f"rule/{self.rule}")


def names_for(options: SetupOptions, region: str) -> Names:
    """The names of the resources for ``options`` in ``region``."""
    prefix = options.name
    queue = f"{prefix}-cloudtrail"
    if options.existing_queue is not None:
        queue_region, _, queue = parse_queue(options.existing_queue)
        if queue_region not in (None, region):
            raise SetupError(
                f"the queue {options.existing_queue} is in {queue_region}: give --region "
                f"{queue_region} (S3 notifies only a queue in the bucket's region)"
            )
    return Names(
        bucket=options.existing_bucket or f"{prefix}-cloudtrail-{options.account}-{region}",
        queue=queue,
        dead_letter_queue=f"{prefix}-cloudtrail-dlq",
        role=f"{prefix}-reader",
        trail=options.existing_trail or prefix,
        rule=f"{prefix}-cloudtrail",
        alias=f"alias/{prefix}-cloudtrail",
        notification_id=f"{prefix}-cloudtrail",
        stack=prefix,
        region=region,
        account=options.account,
        partition=options.partition,
        existing_queue=options.existing_queue is not None,
        existing_trail=options.existing_trail is not None,
    )


def parse_queue(text: str) -> tuple[str | None, str, str]:
    """``(region or None, account, name)`` of a queue ARN or URL.

    >>> parse_queue("https://sqs.eu-west-1.amazonaws.com/123456789012/feed")
    ('eu-west-1', '123456789012', 'feed')
    """
    arn = _QUEUE_ARN.match(text)
    if arn:
        return arn.group(2), arn.group(3), arn.group(4)
    url = _QUEUE_URL.match(text)
    if url:
        return url.group(1), url.group(2), url.group(3)
    raise SetupError(
        f"not an SQS queue ARN or URL: {text!r} (arn:aws:sqs:REGION:ACCOUNT:NAME or "
        "https://sqs.REGION.amazonaws.com/ACCOUNT/NAME)"
    )


def trail_name(text: str) -> str:
    """The name of a trail given by name or ARN (CloudTrail takes either; names are checked)."""
    arn = _TRAIL_ARN.match(text)
    if arn:
        return arn.group(1)
    if _TRAIL_NAME.match(text):
        return text
    raise SetupError(f"not a trail name or ARN: {text!r}")
