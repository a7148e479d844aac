"""Integrations (connected SQS queues): create, list, get, delete, test, pause and resume.

The external ID an integration's role requires is write-only: it is accepted on creation and
never answered back (``public_view`` masks it), as on the command line.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends
from fastapi import Path as PathParam
from pydantic import BaseModel, Field

from trailhound.api.auth import Admin, Caller, Viewer
from trailhound.api.deps import Product, product
from trailhound.api.encoding import JsonAnswer

router = APIRouter(prefix="/integrations", tags=["integrations"])
_NAME = r"^[A-Za-z0-9._-]{1,63}$"


class IntegrationCreate(BaseModel):
    """A new integration: a queue, and the role to reach it with."""

    name: str = Field(pattern=_NAME)
    queue_url: str = Field(max_length=2048)
    role_arn: str | None = Field(None, max_length=2048)
    external_id: str | None = Field(None, min_length=2, max_length=1224)
    region: str | None = Field(None, max_length=64)
    accounts: str = Field("", max_length=20_000, description="Keep only these: ID,ID.")
    endpoint_url: str | None = Field(None, max_length=2048)
    kms_note: str | None = Field(None, max_length=2048)


class ConnectionTest(BaseModel):
    """Options of a connection test."""

    bucket: str | None = Field(None, max_length=63, description="The bucket feeding the queue.")


def _view(found: Product, name: str) -> dict[str, Any]:
    return found.integrations().get(name).public_view()


@router.get("", response_class=JsonAnswer, summary="List integrations")
def list_integrations(
    caller: Caller = Viewer,
    found: Product = Depends(product),  # noqa: B008
) -> JsonAnswer:
    """Every integration with its state and counters."""
    items = found.integrations().list_integrations()
    return JsonAnswer({"integrations": [i.public_view() for i in items]})


@router.post("", response_class=JsonAnswer, status_code=201, summary="Add an integration")
def create_integration(
    body: IntegrationCreate,
    caller: Caller = Admin,
    found: Product = Depends(product),  # noqa: B008
) -> JsonAnswer:
    """Add an integration; check it with the test endpoint."""
    from trailhound.sources.aws.integrations import Integration

    stored = found.integrations().add(
        Integration.create(
            body.name,
            body.queue_url,
            region=body.region,
            role_arn=body.role_arn,
            external_id=body.external_id,
            endpoint_url=body.endpoint_url,
            accounts=body.accounts,
            kms_note=body.kms_note,
        )
    )
    return JsonAnswer(stored.public_view(), status_code=201)


@router.get("/{name}", response_class=JsonAnswer, summary="One integration")
def get_integration(
    name: str = PathParam(pattern=_NAME),
    caller: Caller = Viewer,
    found: Product = Depends(product),  # noqa: B008
) -> JsonAnswer:
    """One integration (the external ID hidden) and its latest poison objects."""
    store = found.integrations()
    view = store.get(name).public_view()
    view["poison_objects"] = [
        {"uri": uri, "reason": reason, "at": when}
        for _, uri, reason, when in store.poison_objects(name)[:20]
    ]
    return JsonAnswer(view)


@router.delete("/{name}", response_class=JsonAnswer, summary="Remove an integration")
def delete_integration(
    name: str = PathParam(pattern=_NAME),
    caller: Caller = Admin,
    found: Product = Depends(product),  # noqa: B008
) -> JsonAnswer:
    """Remove an integration (its counters are kept); AWS is left as it is."""
    from trailhound.sources.aws.setup.remaining import remaining_resources

    store = found.integrations()
    integration = store.get(name)
    store.remove(name)
    return JsonAnswer({"removed": name, "remaining": remaining_resources(integration)})


def _set_state(found: Product, name: str, state: str) -> JsonAnswer:
    from trailhound.sources.aws.integrations import IntegrationState

    found.integrations().set_state(name, IntegrationState(state))
    return JsonAnswer(_view(found, name))


@router.post("/{name}/pause", response_class=JsonAnswer, summary="Pause an integration")
def pause_integration(
    name: str = PathParam(pattern=_NAME),
    caller: Caller = Admin,
    found: Product = Depends(product),  # noqa: B008
) -> JsonAnswer:
    """Stop reading the queue; messages wait there."""
    return _set_state(found, name, "paused")


@router.post("/{name}/resume", response_class=JsonAnswer, summary="Resume an integration")
def resume_integration(
    name: str = PathParam(pattern=_NAME),
    caller: Caller = Admin,
    found: Product = Depends(product),  # noqa: B008
) -> JsonAnswer:
    """Read the queue again."""
    return _set_state(found, name, "enabled")


@router.post("/{name}/test", response_class=JsonAnswer, summary="Test an integration")
def test_integration(
    body: ConnectionTest | None = None,
    name: str = PathParam(pattern=_NAME),
    caller: Caller = Admin,
    found: Product = Depends(product),  # noqa: B008
) -> JsonAnswer:
    """Check credentials, the queue, the bucket's notification route and a real log object."""
    from trailhound.sources.aws.connection_test import check_connection

    integration = found.integrations().get(name)
    report = check_connection(integration, bucket=body.bucket if body else None)
    return JsonAnswer(
        {
            "ok": report.ok,
            "message": report.message,
            "steps": [{"name": s.name, "ok": s.ok, "detail": s.detail} for s in report.steps],
        }
    )
