"""Where an existing trail writes: read from CloudTrail when the setup is generated.

``setup aws --existing-trail NAME`` without ``--existing-bucket`` asks CloudTrail (with the
caller's credentials, ``--profile``) for the trail's bucket, key prefix and KMS key, so that the
policies and the notification name the right ones. The generated script checks them again before
it changes anything.
"""

from __future__ import annotations

from dataclasses import dataclass

from trailhound.sources.aws.clients import (
    AwsClients,
    AwsConnection,
    CredentialsError,
    credentials_problem,
    error_code,
    error_message,
)
from trailhound.sources.aws.setup.options import SetupError, trail_name


@dataclass(frozen=True, slots=True)
class TrailLocation:
    """The bucket, key prefix and KMS key an existing trail writes its logs with."""

    bucket: str
    prefix: str = ""
    kms_key_arn: str | None = None


def lookup_trail(trail: str, region: str) -> TrailLocation:
    """Ask CloudTrail where ``trail`` (a name or ARN) writes; a one-line error otherwise."""
    trail_name(trail)
    try:
        client = AwsClients(AwsConnection(region=region)).client("cloudtrail")
        found = client.get_trail(Name=trail)["Trail"]
    except CredentialsError as error:
        raise SetupError(f"cannot look trail {trail} up: {error}") from error
    except Exception as error:
        problem = credentials_problem(error)
        if problem:
            raise SetupError(f"cannot look trail {trail} up: {problem}") from error
        if error_code(error) == "TrailNotFoundException":
            raise SetupError(f"no trail {trail} in {region}: check it and --region") from error
        raise SetupError(
            f"cannot look trail {trail} up ({error_message(error)}): give its bucket with "
            "--existing-bucket (and --log-prefix, --kms-key if it has them)"
        ) from error
    return TrailLocation(
        bucket=str(found["S3BucketName"]),
        prefix=str(found.get("S3KeyPrefix") or ""),
        kms_key_arn=found.get("KmsKeyId") or None,
    )
