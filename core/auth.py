"""Authentication for the REST API: API keys in the X-API-Key header, or a staff member's session."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.security import APIKeyHeader, SessionAuthIsStaff

from core.api_keys import api_key_check
from core.models import ApiKey


class ApiKeyAuth(APIKeyHeader):
    """`X-API-Key: ms_…`; with `staff_only`, keys without the staff scope are refused."""

    param_name = "X-API-Key"

    def __init__(self, *, staff_only: bool = False) -> None:
        self.staff_only = staff_only
        super().__init__()

    def authenticate(self, request: HttpRequest, key: str | None) -> ApiKey | None:
        api_key = api_key_check(key)
        if api_key is None or (self.staff_only and not api_key.is_staff):
            return None
        return api_key


class Anonymous:
    """What `request.auth` holds on a public endpoint when no credential was given (or none was valid)."""

    is_staff = False

    def __bool__(self) -> bool:
        return True


def anonymous(request: HttpRequest) -> Anonymous:
    return Anonymous()


class StaffSession(SessionAuthIsStaff):
    """A logged-in staff member's session cookie (the admin's); unsafe methods also need the CSRF token."""


staff_api_key = ApiKeyAuth(staff_only=True)
staff_session = StaffSession()
# Pipeline endpoints: a staff key or a staff session, else 401.
STAFF_ONLY: list[Any] = [staff_api_key, staff_session]
# Public endpoints that show more to staff: the same, then anyone.
STAFF_OR_PUBLIC: list[Any] = [ApiKeyAuth(), staff_session, anonymous]
# OpenAPI: django-ninja lists the key and the session; the empty requirement added to them says that
# both are optional.
OPTIONAL_SECURITY: dict[str, Any] = {"security": [{}]}


def is_staff_request(request: HttpRequest) -> bool:
    """True for a staff session or a staff-scoped API key (whichever authenticated the request)."""
    auth = getattr(request, "auth", None)
    if isinstance(auth, ApiKey) and auth.is_staff:
        return True
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated and user.is_staff)
