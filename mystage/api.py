"""The one NinjaAPI of the project; each app contributes a router."""

from __future__ import annotations

from ninja import NinjaAPI

from entities.api import router as entities_router
from mystage.pipeline.api import router as pipeline_router
from mystage.throttling import api_throttles

api = NinjaAPI(
    title="MyStage Sourcing API",
    version="1",
    description="Canonical venues, artists and performances, and the scraping pipeline.",
    docs_url="/docs",
    # Every operation counts against its caller's budget; over it, 429 with Retry-After.
    throttle=api_throttles(),
)
api.add_router("/", entities_router)
api.add_router("/pipeline", pipeline_router)
