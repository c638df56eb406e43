"""Authentication for the REST API: API keys in the X-API-Key header, or a staff member's session.

What a request gets, whatever the endpoint:
- an `X-API-Key` that is unknown or revoked: 401, never anonymous (a typo must not silently lose the
  staff view);
- a valid key without the staff scope on a staff endpoint: 403;
- a key-authenticated request is never CSRF-checked (the key is not a cookie a browser sends on its own);
- a session is CSRF-checked on unsafe methods, and only when it is a logged-in session;
- nothing at all on a staff endpoint: 401; on a public endpoint: anonymous.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from ninja.errors import AuthenticationError, AuthorizationError, HttpError
from ninja.security import APIKeyCookie, APIKeyHeader
from ninja.utils import check_csrf

from core.api_keys import api_key_check
from core.models import ApiKey

BAD_KEY = "Unknown or revoked API key (X-API-Key). Leave the header out to use the public API."
NEEDS_STAFF_KEY = "This endpoint needs a staff-scoped API key (create_api_key NAME --staff)."
NEEDS_STAFF_USER = "This endpoint needs a staff member's session or a staff-scoped API key."


class ApiKeyAuth(APIKeyHeader):
    """`X-API-Key: ms_…`. No header: the next method is tried. A bad key: 401 at once. With
    `staff_only`, a valid key without the staff scope: 403."""

    param_name = "X-API-Key"

    def __init__(self, *, staff_only: bool = False) -> None:
        self.staff_only = staff_only
        super().__init__()

    def authenticate(self, request: HttpRequest, key: str | None) -> ApiKey | None:
        if key is None:
            return None
        api_key = api_key_check(key)
        if api_key is None:
            raise AuthenticationError(401, BAD_KEY)
        if self.staff_only and not api_key.is_staff:
            raise AuthorizationError(403, NEEDS_STAFF_KEY)
        return api_key


class Anonymous:
    """What `request.auth` holds on a public endpoint when no credential was given."""

    is_staff = False

    def __bool__(self) -> bool:
        return True


def anonymous(request: HttpRequest) -> Anonymous:
    return Anonymous()


class StaffSession(APIKeyCookie):
    """A logged-in staff member's session cookie (the admin's); unsafe methods also need the CSRF token.

    Without a logged-in session the next method is tried, with no CSRF check (there is no cookie to
    protect). With `staff_only`, a logged-in member who is not staff gets 403; otherwise they pass on
    to the public view."""

    param_name = settings.SESSION_COOKIE_NAME

    def __init__(self, *, staff_only: bool = False) -> None:
        self.staff_only = staff_only
        super().__init__(csrf=True)

    def _get_key(self, request: HttpRequest) -> str | None:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        if not getattr(request, "_ninja_csrf_exempt", False) and check_csrf(request):
            raise HttpError(403, "CSRF check failed: send the csrftoken cookie's value as X-CSRFToken.")
        return request.COOKIES.get(self.param_name)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        if key is None:
            return None
        user = request.user
        if user.is_staff:
            return user
        if self.staff_only:
            raise AuthorizationError(403, NEEDS_STAFF_USER)
        return None


# Pipeline endpoints: a staff key or a staff session, else 401 (nothing given) or 403 (not staff).
STAFF_ONLY: list[Any] = [ApiKeyAuth(staff_only=True), StaffSession(staff_only=True)]
# Public endpoints that show more to staff: a key or a staff session, else anyone.
STAFF_OR_PUBLIC: list[Any] = [ApiKeyAuth(), StaffSession(), anonymous]
# OpenAPI: django-ninja lists the key and the session; the empty requirement added to them says that
# both are optional.
OPTIONAL_SECURITY: dict[str, Any] = {"security": [{}]}


def is_staff_request(request: HttpRequest) -> bool:
    """True for a staff session or a staff-scoped API key (whichever authenticated the request)."""
    auth = getattr(request, "auth", None)
    if isinstance(auth, ApiKey):
        return auth.is_staff
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated and user.is_staff)
