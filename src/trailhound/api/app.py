"""The REST API: ``create_app(data_dir)`` builds the FastAPI app, ``/docs`` shows its OpenAPI.

The same app serves the web console (``api/console``: sign-in, search, alerts, incidents,
rules, integrations) at the root, behind its own session cookie.

Every route lives under ``/api/v1``; every one but ``GET /api/v1/health`` (and a setup link's
template, whose token is its secret) takes ``Authorization: Bearer KEY`` and checks the key's
role; every error is RFC 9457 problem JSON; every body has a size limit, enforced while it
streams. Nothing here logs a key, a password or an external ID.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import APIRouter, FastAPI

from trailhound import __version__
from trailhound.api.console.site import mount_console
from trailhound.api.deps import Product, ServerSettings
from trailhound.api.limits import BodyLimit
from trailhound.api.problems import install_problem_handlers
from trailhound.api.routes import (
    alerts,
    health,
    incidents,
    ingest,
    integrations,
    query,
    rules,
    setup,
    suppressions,
)
from trailhound.data_dir import DataDir

PREFIX = "/api/v1"
# Every router, mounted under PREFIX: the route table the security tests walk.
ROUTERS: tuple[APIRouter, ...] = tuple(
    m.router
    for m in (health, query, alerts, incidents, rules, suppressions, integrations, setup, ingest)
)


def create_app(data_dir: DataDir, settings: ServerSettings | None = None) -> FastAPI:
    """The API over one data directory; its ingest loop runs while the app is served."""
    found = Product(data_dir, settings)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        found.start()
        try:
            yield
        finally:
            found.stop()

    app = FastAPI(
        title="trailhound",
        version=__version__,
        description="Self-hosted detection and response for AWS CloudTrail.",
        lifespan=lifespan,
        openapi_url=f"{PREFIX}/openapi.json",
        docs_url="/docs",
        redoc_url=None,
    )
    app.state.product = found
    install_problem_handlers(app)
    app.add_middleware(
        BodyLimit,
        default=found.settings.body_limit,
        by_prefix={f"{PREFIX}/ingest/": found.settings.ingest_limit},
    )
    for router in ROUTERS:
        app.include_router(router, prefix=PREFIX)
    mount_console(app, found)
    return app
