"""API rate limits (django-ninja's throttling): one budget per API key or staff member, one per client
address for anonymous callers. Rates come from settings, read at each request so a change applies
without a restart of the worker that reads it. A refused request gets 429 with Retry-After."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from ninja.throttling import BaseThrottle, SimpleRateThrottle

from core.models import ApiKey


def _client_identity(request: HttpRequest) -> str | None:
    """ "key:<pk>" for an API key, "user:<pk>" for a staff session; None for an anonymous caller."""
    auth: Any = getattr(request, "auth", None)
    if isinstance(auth, ApiKey):
        return f"key:{auth.pk}"
    user: Any = getattr(request, "user", None)
    if auth is not None and user is not None and user.is_authenticated:
        return f"user:{user.pk}"
    return None


class _SettingsRateThrottle(SimpleRateThrottle):
    setting = ""

    def __init__(self) -> None:
        super().__init__(rate=getattr(settings, self.setting))

    def allow_request(self, request: HttpRequest) -> bool:
        self.rate = getattr(settings, self.setting)
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request)


class AnonymousRateThrottle(_SettingsRateThrottle):
    """Anonymous callers share one budget per client address (API_RATE_ANONYMOUS)."""

    scope = "anonymous"
    setting = "API_RATE_ANONYMOUS"

    def get_cache_key(self, request: HttpRequest) -> str | None:
        if _client_identity(request) is not None:
            return None
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class AuthenticatedRateThrottle(_SettingsRateThrottle):
    """Each API key and each staff member has its own budget (API_RATE_AUTHENTICATED)."""

    scope = "authenticated"
    setting = "API_RATE_AUTHENTICATED"

    def get_cache_key(self, request: HttpRequest) -> str | None:
        identity = _client_identity(request)
        if identity is None:
            return None
        return self.cache_format % {"scope": self.scope, "ident": identity}


def api_throttles() -> list[BaseThrottle]:
    return [AnonymousRateThrottle(), AuthenticatedRateThrottle()]
