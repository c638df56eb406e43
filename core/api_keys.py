"""API keys: create (the key is returned once), check, revoke. Only the SHA-256 of a key is stored."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import Any

from django.utils import timezone

from core.models import ApiKey

KEY_PREFIX = "ms_"
PREFIX_LENGTH = 8
# Writing last_used_at on every request would turn each read into a write; once a minute is plenty.
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)


def hash_key(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def api_key_create(*, name: str, is_staff: bool = False, by: Any = None) -> tuple[ApiKey, str]:
    """Create a key; returns the row and the key itself, which is never stored and cannot be shown again."""
    raw = KEY_PREFIX + secrets.token_urlsafe(30)
    api_key = ApiKey.objects.create(
        name=name,
        prefix=raw[:PREFIX_LENGTH],
        hashed_key=hash_key(raw),
        is_staff=is_staff,
        created_by=by if getattr(by, "pk", None) else None,
    )
    return api_key, raw


def api_key_check(raw: str | None, *, now: dt.datetime | None = None) -> ApiKey | None:
    """The active key matching `raw`, its last use recorded; None for a missing, unknown or revoked key."""
    if not raw or not raw.startswith(KEY_PREFIX) or len(raw) > 200:
        return None
    api_key = ApiKey.objects.filter(hashed_key=hash_key(raw), revoked_at__isnull=True).first()
    if api_key is None:
        return None
    now = now or timezone.now()
    if api_key.last_used_at is None or now - api_key.last_used_at >= LAST_USED_RESOLUTION:
        ApiKey.objects.filter(pk=api_key.pk).update(last_used_at=now)
        api_key.last_used_at = now
    return api_key


def api_key_revoke(*, api_key: ApiKey) -> ApiKey:
    """Revoke a key for good (revoking twice keeps the first time)."""
    if api_key.revoked_at is None:
        api_key.revoked_at = timezone.now()
        api_key.save(update_fields=["revoked_at"])
    return api_key
