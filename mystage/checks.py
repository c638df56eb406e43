"""System checks that report missing or contradictory configuration in plain words."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlparse

from django.conf import settings
from django.core.checks import Error, Warning, register
from ninja.throttling import SimpleRateThrottle

from sourcing.fetchrules import parse_host_overrides


@register()
def configuration_check(app_configs: Any = None, **kwargs: Any) -> list[Error | Warning]:
    problems: list[Error | Warning] = []
    db_engine = settings.DATABASES["default"]["ENGINE"]
    if settings.REDIS_URL:
        scheme = urlparse(settings.REDIS_URL).scheme
        if scheme not in {"redis", "rediss", "unix"}:
            problems.append(
                Error(
                    f"REDIS_URL must start with redis://, rediss:// or unix:// (got {scheme or 'no scheme'}://).",
                    id="mystage.E001",
                )
            )
    if bool(settings.ALGOLIA_APP_ID) != bool(settings.ALGOLIA_API_KEY):
        missing = "ALGOLIA_API_KEY" if settings.ALGOLIA_APP_ID else "ALGOLIA_APP_ID"
        problems.append(
            Error(
                f"Algolia is half configured: set both ALGOLIA_APP_ID and ALGOLIA_API_KEY, or neither ({missing} is missing).",
                hint="Without both, sync writes Algolia documents to the local stand-in under SYNC_LOCAL_DIR.",
                id="mystage.E002",
            )
        )
    if settings.FIRESTORE_EMULATOR_HOST and settings.GOOGLE_APPLICATION_CREDENTIALS:
        problems.append(
            Warning(
                "Both FIRESTORE_EMULATOR_HOST and GOOGLE_APPLICATION_CREDENTIALS are set: the client talks to the emulator.",
                id="mystage.W001",
            )
        )
    if (
        settings.FIRESTORE_EMULATOR_HOST or settings.GOOGLE_APPLICATION_CREDENTIALS
    ) and not settings.FIRESTORE_PROJECT:
        problems.append(
            Error(
                "Firestore is configured but FIRESTORE_PROJECT is empty: name the Google Cloud project.",
                id="mystage.E003",
            )
        )
    if settings.LLM_MODEL and ":" not in settings.LLM_MODEL:
        problems.append(
            Error(
                f"LLM_MODEL must be a pydantic-ai model string like 'openai:gpt-4o-mini' (got {settings.LLM_MODEL!r}).",
                id="mystage.E004",
            )
        )
    if settings.Q_CLUSTER["timeout"] >= settings.Q_CLUSTER["retry"]:
        problems.append(
            Error(
                "Q_CLUSTER timeout must be lower than retry, or tasks run twice at once.", id="mystage.E005"
            )
        )
    for name in ("API_RATE_ANONYMOUS", "API_RATE_AUTHENTICATED"):
        try:
            SimpleRateThrottle.parse_rate(SimpleRateThrottle, getattr(settings, name))  # type: ignore[arg-type]
        except ValueError:
            problems.append(
                Error(
                    f'{name} must be a rate like "120/min" (requests/s, min, hour or day); got {getattr(settings, name)!r}.',
                    id="mystage.E006",
                )
            )
    try:
        parse_host_overrides(tuple(settings.SCRAPE_HOST_OVERRIDES))
    except ValueError as exc:
        problems.append(Error(f"SCRAPE_HOST_OVERRIDES: {exc}", id="mystage.E007"))
    if settings.REDIS_URL and db_engine.endswith("sqlite3"):
        problems.append(
            Warning(
                "REDIS_URL is set but the database is SQLite: workers on other machines cannot reach a local SQLite file.",
                hint="Set DATABASE_URL to PostgreSQL for a multi-machine cluster, or unset REDIS_URL for the embedded default.",
                id="mystage.W002",
            )
        )
    return problems
