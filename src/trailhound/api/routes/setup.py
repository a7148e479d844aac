"""The setup generator: a CloudFormation template for an account, and a quick-create link.

``POST /setup/aws`` answers the template, a new external ID (unless one is given), and a
CloudFormation console quick-create link that carries the external ID as the stack's parameter,
as the hosted consoles do. The link's template is served by ``GET /setup/templates/{token}``
for 30 days, then the link expires; where the console needs the template in S3, give the
``template_url`` you uploaded it to, and the link points there instead.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta
from typing import Any, Literal
from urllib.parse import quote, urlencode

import orjson
from fastapi import APIRouter, Depends, Request
from fastapi import Path as PathParam
from pydantic import BaseModel, Field

from trailhound.api.auth import Admin, Caller
from trailhound.api.deps import Product, product
from trailhound.api.encoding import JsonAnswer
from trailhound.api.problems import Problem

router = APIRouter(prefix="/setup", tags=["setup"])
LINK_DAYS = 30
_TOKEN = r"^[A-Za-z0-9_-]{20,64}$"
_REGION = r"^[a-z]{2}(-[a-z]+)+-\d$"


class AwsSetup(BaseModel):
    """What to connect: the options of ``trailhound setup aws``."""

    account: str = Field(pattern=r"^\d{12}$")
    operator_account: str | None = Field(None, max_length=2048)
    organization_id: str | None = Field(None, pattern=r"^o-[a-z0-9]{10,32}$")
    existing_bucket: str | None = Field(None, max_length=63)
    route: Literal["queue", "sns", "eventbridge"] = "queue"
    existing_topic: str | None = Field(None, max_length=512)
    existing_queue: str | None = Field(None, max_length=512, description="ARN or URL")
    existing_trail: str | None = Field(
        None, max_length=256, description="Name or ARN; give existing_bucket (and log_prefix)"
    )
    log_prefix: str = Field("", max_length=200, description="The existing trail's key prefix")
    kms: bool = False
    kms_key: str | None = Field(None, max_length=512)
    network_activity: Literal["all", "denied"] | None = None
    name_prefix: str = Field("trailhound", max_length=20)
    region: str = Field("us-east-1", pattern=_REGION)
    external_id: str | None = Field(None, min_length=16, max_length=1224)
    template_url: str | None = Field(
        None, max_length=1024, pattern=r"^https://", description="Where you host the template."
    )


def _options(body: AwsSetup, external_id: str) -> Any:
    from trailhound.sources.aws.setup.options import SetupOptions

    return SetupOptions(
        account=body.account,
        operator=body.operator_account,
        external_id=external_id,
        organization_id=body.organization_id,
        existing_bucket=body.existing_bucket,
        kms=body.kms,
        kms_key_arn=body.kms_key,
        network_activity=body.network_activity,
        name=body.name_prefix,
        route=body.route,
        existing_topic=body.existing_topic,
        existing_queue=body.existing_queue,
        existing_trail=body.existing_trail,
        log_prefix=body.log_prefix,
    )


def quick_create_url(region: str, template_url: str, stack: str, external_id: str) -> str:
    """The CloudFormation console link that opens the stack form filled in.

    >>> quick_create_url("eu-west-1", "https://b.s3.amazonaws.com/t.json", "th", "x" * 16)[:62]
    'https://eu-west-1.console.aws.amazon.com/cloudformation/home?'
    """
    query = urlencode(
        {"templateURL": template_url, "stackName": stack, "param_ExternalId": external_id},
        quote_via=quote,
    )
    return (
        f"https://{region}.console.aws.amazon.com/cloudformation/home?region={region}"
        f"#/stacks/quickcreate?{query}"
    )


@router.post("/aws", response_class=JsonAnswer, status_code=201, summary="Generate AWS setup")
def setup_aws(
    body: AwsSetup,
    request: Request,
    caller: Caller = Admin,
    found: Product = Depends(product),  # noqa: B008
) -> JsonAnswer:
    """The template, the external ID and a quick-create link valid for 30 days."""
    from trailhound.sources.aws.setup import policy
    from trailhound.sources.aws.setup.cloudformation import build_template

    if body.operator_account is None:
        raise Problem(
            400,
            "operator_account: the account (or role ARN) trailhound runs as",
            kind="invalid-request",
        )
    external_id = body.external_id or policy.generate_external_id()
    options = _options(body, external_id)
    template = build_template(options)
    token = secrets.token_urlsafe(24)
    now = datetime.now(UTC)
    expires = now + timedelta(days=LINK_DAYS)
    # The external ID is kept out of the stored options: the link and this answer carry it.
    stored = body.model_dump(exclude={"external_id", "template_url"})
    with found.state.connect() as con:
        con.execute(
            "INSERT INTO setup_links (id, options, region, created_at, expires_at) "
            "VALUES (?, ?, ?, ?, ?)",
            [token, orjson.dumps(stored).decode(), body.region, now, expires],
        )
    served = str(request.url_for("setup_template", token=token))
    link = quick_create_url(body.region, body.template_url or served, options.name, external_id)
    return JsonAnswer(
        {
            "external_id": external_id,
            "quick_create_url": link,
            "template_url": body.template_url or served,
            "expires_at": expires,
            "stack_name": options.name,
            "template": template,
        },
        status_code=201,
    )


@router.get(
    "/templates/{token}",
    response_class=JsonAnswer,
    name="setup_template",
    summary="A quick-create link's template (no key: the token is the secret)",
)
def setup_template(
    token: str = PathParam(pattern=_TOKEN),
    found: Product = Depends(product),  # noqa: B008
) -> JsonAnswer:
    """The template a quick-create link points at, until the link expires."""
    from trailhound.sources.aws.setup import policy
    from trailhound.sources.aws.setup.cloudformation import build_template

    with found.state.connect() as con:
        row = con.execute(
            "SELECT options, expires_at FROM setup_links WHERE id = ?", [token]
        ).fetchone()
    if row is None or row[1] <= datetime.now(UTC):
        raise Problem(404, "no such setup link, or it expired", kind="not-found")
    body = AwsSetup(**orjson.loads(row[0]))
    # The template takes the external ID as a parameter: a placeholder builds the same one.
    template = build_template(_options(body, policy.generate_external_id()))
    return JsonAnswer(template)
