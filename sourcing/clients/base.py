"""What every source API client shares (pure: no Django import).

- `ApiClient._request` sends one call through an injected `httpx.Client` and returns an `ApiResponse`:
  the raw body (what the pipeline stores as a Scrape), its parsed JSON, status, headers, timing, and
  a URL with every credential removed, so it is safe to store, log and show.
- Quota and rate limits: a per-client minimum interval between calls; 429 and transient failures
  (timeouts, connection errors, 408 and 5xx) are retried a bounded number of times, waiting what
  `Retry-After` asks or else an exponential backoff with jitter (`core.retry`). A wait longer than
  `RetryPolicy.max_retry_after_seconds`, or a daily quota used up, is not slept through: the
  `SourceApiError` says `retryable=True` with `retry_after`, and the pipeline's own backoff takes over.
- Failures raise `SourceApiError(reason, retryable=..., status_code=...)`; `reason` is for people.
- API keys never leave the client: they are redacted from URLs, error messages and httpx's own log
  lines, and a missing key is a `MissingApiKeyError` naming the setting to set.
"""

from __future__ import annotations

import hashlib
import json
import logging
import random
import re
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar
from urllib.parse import quote

import httpx

from core.retry import Backoff, clamp_wait, retry_call
from sourcing.fetchrules import parse_retry_after

logger = logging.getLogger("sourcing.clients")

REDACTED = "REDACTED"
# Query parameters that carry credentials (Ticketmaster `apikey`, Bandsintown `app_id`, Google `key`).
SECRET_PARAMS = ("key", "apikey", "api_key", "app_id", "access_token", "client_secret")
_SECRET_PARAM_RE = re.compile(rf"(?i)([?&;](?:{'|'.join(SECRET_PARAMS)})=)[^&#\s\"']*")
_BEARER_RE = re.compile(r"(?i)(bearer\s+)[A-Za-z0-9._~+/=-]+")
RETRYABLE_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504})
MAX_MESSAGE_CHARS = 300

type Params = Mapping[str, str | int | float | bool | None]


class SourceApiError(Exception):
    """A failed API call; `reason` is for people, `retryable` says whether trying later may help."""

    def __init__(
        self,
        reason: str,
        *,
        retryable: bool,
        status_code: int | None = None,
        retry_after: float | None = None,
        quota_exhausted: bool = False,
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retryable = retryable
        self.status_code = status_code
        self.retry_after = retry_after
        # A daily (or monthly) quota is used up: retrying within seconds cannot help.
        self.quota_exhausted = quota_exhausted


class MissingApiKeyError(SourceApiError):
    """No API key configured for a client: not retryable until someone sets it."""

    def __init__(self, label: str, setting: str) -> None:
        super().__init__(
            f"The {label} client needs an API key: set {setting} in the environment (or {setting}_FILE).",
            retryable=False,
        )
        self.setting = setting


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """`text` with every credential replaced: known secrets, key-like query parameters, bearer tokens."""
    for secret in secrets:
        if len(secret) >= 4:  # a one-letter "key" would blank out half the message
            for form in {secret, quote(secret, safe=""), quote(secret, safe="/")}:
                text = text.replace(form, REDACTED)
    text = _SECRET_PARAM_RE.sub(lambda m: m.group(1) + REDACTED, text)
    return _BEARER_RE.sub(lambda m: m.group(1) + REDACTED, text)


class _RedactHttpxLog(logging.Filter):
    """httpx logs every request URL at INFO, query string included: take keys out of those lines."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


def _install_httpx_log_filter() -> None:
    httpx_logger = logging.getLogger("httpx")
    if not any(isinstance(f, _RedactHttpxLog) for f in httpx_logger.filters):
        httpx_logger.addFilter(_RedactHttpxLog())


_install_httpx_log_filter()


@dataclass(frozen=True)
class RetryPolicy:
    """How hard one call tries before it gives up and leaves the retry to the pipeline."""

    max_attempts: int = 4  # the first try and three retries
    backoff_base_seconds: float = 1.0
    backoff_max_seconds: float = 30.0
    # A server asking for a longer pause is not waited for in-process (it would hold a worker).
    max_retry_after_seconds: float = 120.0

    @property
    def backoff(self) -> Backoff:
        """Exponential backoff with "equal jitter": half fixed, half random, capped."""
        return Backoff(self.backoff_base_seconds, self.backoff_max_seconds, jitter=True)


@dataclass(frozen=True)
class ApiResponse:
    """One page of an API: the raw bytes to store, the parsed JSON to page through, and metadata."""

    api: str  # the source kind: "google_places", "yelp", "bandsintown", "ticketmaster"
    method: str
    url: str  # credentials removed: safe to store and to show
    status_code: int
    headers: dict[str, str]
    body: bytes
    elapsed_ms: int
    data: Any = field(repr=False, compare=False)
    request_body: bytes | None = None  # the JSON body of a POST (Places text search)
    attempts: int = 1
    page_index: int = 0

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "")

    @property
    def content_hash(self) -> str:
        return hashlib.sha256(self.body).hexdigest()


def _clip(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= MAX_MESSAGE_CHARS else text[: MAX_MESSAGE_CHARS - 1] + "…"


class ApiClient:
    """Base of the source API clients: auth, rate limit, retries, errors, redaction."""

    api: ClassVar[str]  # the SourceKind value
    label: ClassVar[str]  # for messages: "Google Places"
    key_setting: ClassVar[str]  # the setting that holds the key: "GOOGLE_PLACES_API_KEY"
    default_base_url: ClassVar[str]
    default_min_interval_seconds: ClassVar[float] = 0.2
    # An API without keys (MusicBrainz) identifies its callers otherwise (a User-Agent with a contact).
    requires_key: ClassVar[bool] = True

    def __init__(
        self,
        *,
        api_key: str,
        http: httpx.Client,
        base_url: str = "",
        timeout_seconds: float = 20.0,
        retry: RetryPolicy | None = None,
        min_interval_seconds: float | None = None,
        max_bytes: int = 20 * 1024 * 1024,
        user_agent: str = "MyStageBot/0.1",
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        jitter: Callable[[], float] = random.random,
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        if self.requires_key and (not api_key or not api_key.strip()):
            raise MissingApiKeyError(self.label, self.key_setting)
        self._api_key = (api_key or "").strip()
        self._http = http
        self.base_url = (base_url or self.default_base_url).rstrip("/")
        self.timeout_seconds = timeout_seconds
        self.retry = retry or RetryPolicy()
        self.min_interval_seconds = (
            self.default_min_interval_seconds if min_interval_seconds is None else min_interval_seconds
        )
        self.max_bytes = max_bytes
        self.user_agent = user_agent
        self._sleep = sleep
        self._clock = clock
        self._jitter = jitter
        self._wall_clock = wall_clock
        self._lock = threading.Lock()
        self._next_call_at = 0.0

    def __repr__(self) -> str:  # never the key
        return f"{type(self).__name__}(base_url={self.base_url!r})"

    # --- hooks for each API -------------------------------------------------------------------

    def _auth_headers(self) -> dict[str, str]:
        return {}

    def _auth_params(self) -> dict[str, str]:
        return {}

    def _error_message(self, payload: Any) -> str:
        """The API's own words for an error body (each API has its shape)."""
        return ""

    def _is_quota_exhausted(self, status: int, payload: Any, headers: httpx.Headers) -> bool:
        return False

    def _retry_after_hint(self, status: int, payload: Any, headers: httpx.Headers) -> float | None:
        return parse_retry_after(headers.get("retry-after"))

    def _check_body(self, payload: Any, path: str) -> None:
        """Raise for a 2xx body that is really an error (some APIs answer errors with 200)."""

    # --- the call -----------------------------------------------------------------------------

    def redact(self, text: str) -> str:
        return redact(text, (self._api_key,))

    def _throttle(self) -> None:
        """Keep at least `min_interval_seconds` between the starts of two calls of this client."""
        with self._lock:
            now = self._clock()
            wait = self._next_call_at - now
            if wait > 0:
                self._sleep(wait)
                now += wait
            self._next_call_at = now + self.min_interval_seconds

    def _delay_next_call(self, seconds: float) -> None:
        """A 429 slows every later call of this client too, not only the one being retried."""
        with self._lock:
            self._next_call_at = max(self._next_call_at, self._clock() + seconds)

    def _request(
        self,
        method: str,
        path: str,
        *,
        params: Params | None = None,
        json_body: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> ApiResponse:
        query = {k: _param(v) for k, v in (params or {}).items() if v is not None}
        query.update(self._auth_params())
        content = None
        all_headers = {"User-Agent": self.user_agent, "Accept": "application/json"}
        all_headers.update(headers or {})
        all_headers.update(self._auth_headers())
        if json_body is not None:
            content = json.dumps(json_body, separators=(",", ":"), ensure_ascii=False).encode()
            all_headers["Content-Type"] = "application/json"
        request = self._http.build_request(
            method,
            self.base_url + path,
            params=query,
            headers=all_headers,
            content=content,
            timeout=self.timeout_seconds,
        )
        safe_url = self.redact(str(request.url))
        short = f"{method} {path}"
        policy = self.retry
        calls = 0

        def send_once() -> tuple[int, httpx.Headers, bytes, int]:
            """One call; an answer other than 2xx is raised as the SourceApiError it means."""
            nonlocal calls
            calls += 1
            self._throttle()
            started = time.monotonic()
            status, response_headers, body = self._send(request)
            elapsed_ms = int((time.monotonic() - started) * 1000)
            logger.info("%s %s -> %s in %d ms", method, safe_url, status, elapsed_ms)
            if not 200 <= status < 300:
                raise self._http_error(status, response_headers, body, short)
            return status, response_headers, body, elapsed_ms

        def worth_waiting_for(exc: BaseException) -> bool:
            # A used-up quota, or a pause longer than we hold a worker for, is the pipeline's to wait.
            return (
                isinstance(exc, SourceApiError)
                and exc.retryable
                and not exc.quota_exhausted
                and (exc.retry_after is None or exc.retry_after <= policy.max_retry_after_seconds)
            )

        def before_retry(exc: BaseException, attempt: int, delay: float) -> None:
            assert isinstance(exc, SourceApiError)
            if exc.status_code == 429:
                self._delay_next_call(delay)
            logger.warning(
                "%s %s failed (%s); retry %d in %.1f s", method, safe_url, exc.reason, attempt, delay
            )

        try:
            status, response_headers, body, elapsed_ms = retry_call(
                send_once,
                backoff=policy.backoff,
                attempts=policy.max_attempts,
                retry_on=worth_waiting_for,
                retry_after=lambda exc: getattr(exc, "retry_after", None),
                on_retry=before_retry,
                sleep=self._sleep,
                rand=self._jitter,
            )
        except SourceApiError as error:
            if error.quota_exhausted or not error.retryable or calls < policy.max_attempts:
                raise  # not retryable, or retryable with a retry_after: the pipeline waits, not this worker
            raise SourceApiError(
                f"{error.reason} Gave up after {calls} attempts.",
                retryable=True,
                status_code=error.status_code,
                retry_after=error.retry_after,
            ) from None
        # Outside the retry: a 2xx that is not JSON, or an error in disguise, is not tried again here.
        payload = self._parse(body, status, short)
        self._check_body(payload, path)
        return ApiResponse(
            api=self.api,
            method=method,
            url=safe_url,
            status_code=status,
            headers={k.lower(): v for k, v in response_headers.items()},
            body=body,
            elapsed_ms=elapsed_ms,
            data=payload,
            request_body=content,
            attempts=calls,
        )

    def _send(self, request: httpx.Request) -> tuple[int, httpx.Headers, bytes]:
        """Send once and read the body up to `max_bytes`; transport failures become SourceApiError."""
        try:
            response = self._http.send(request, stream=True)
        except httpx.TimeoutException:
            raise SourceApiError(
                f"{self.label} did not answer within {self.timeout_seconds:g} s.", retryable=True
            ) from None
        except httpx.HTTPError as exc:
            raise SourceApiError(
                f"{self.label} could not be reached: {type(exc).__name__}: {self.redact(str(exc))}",
                retryable=True,
            ) from None
        try:
            chunks: list[bytes] = []
            size = 0
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > self.max_bytes:
                    raise SourceApiError(
                        f"{self.label} sent more than {self.max_bytes} bytes; the response was dropped.",
                        retryable=False,
                        status_code=response.status_code,
                    )
                chunks.append(chunk)
        except httpx.TimeoutException:
            raise SourceApiError(
                f"{self.label} stopped sending within {self.timeout_seconds:g} s.", retryable=True
            ) from None
        except httpx.HTTPError as exc:
            raise SourceApiError(
                f"{self.label} broke off its answer: {type(exc).__name__}: {self.redact(str(exc))}",
                retryable=True,
            ) from None
        finally:
            response.close()
        return response.status_code, response.headers, b"".join(chunks)

    def _parse(self, body: bytes, status: int, short: str) -> Any:
        try:
            return json.loads(body)
        except ValueError:
            raise SourceApiError(
                f"{self.label} answered {short} with HTTP {status} but a body that is not JSON "
                f"({len(body)} bytes).",
                retryable=False,
                status_code=status,
            ) from None

    def _http_error(self, status: int, headers: httpx.Headers, body: bytes, short: str) -> SourceApiError:
        try:
            payload: Any = json.loads(body) if body else None
        except ValueError:
            payload = None
        said = self._error_message(payload) if payload is not None else ""
        if not said and body and payload is None:
            said = body[:200].decode("utf-8", "replace")
        said = self.redact(_clip(said))
        tail = f": {said}" if said else "."
        if self._is_quota_exhausted(status, payload, headers):
            return SourceApiError(
                f"{self.label} quota is used up (HTTP {status}){tail} Try again later.",
                retryable=True,
                status_code=status,
                retry_after=_bounded(self._retry_after_hint(status, payload, headers)),
                quota_exhausted=True,
            )
        if status == 429:
            return SourceApiError(
                f"{self.label} rate limit hit (HTTP 429) on {short}{tail}",
                retryable=True,
                status_code=status,
                retry_after=_bounded(self._retry_after_hint(status, payload, headers)),
            )
        if status in (401, 403):
            return SourceApiError(
                f"{self.label} refused the request (HTTP {status}): check {self.key_setting}{tail}",
                retryable=False,
                status_code=status,
            )
        if status == 404:
            return SourceApiError(
                f"{self.label} has nothing at {short} (HTTP 404){tail}", retryable=False, status_code=status
            )
        if status in RETRYABLE_STATUSES or status >= 500:
            return SourceApiError(
                f"{self.label} failed on {short} (HTTP {status}){tail}",
                retryable=True,
                status_code=status,
                retry_after=parse_retry_after(headers.get("retry-after")),
            )
        return SourceApiError(
            f"{self.label} rejected {short} (HTTP {status}){tail}", retryable=False, status_code=status
        )


def _bounded(seconds: float | None) -> float | None:
    """A wait an API asked for, at most `core.retry.MAX_WAIT_SECONDS` (a quota reset in 9999 is a day)."""
    return None if seconds is None else clamp_wait(seconds)


def _param(value: str | int | float | bool) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
