"""One backoff policy and one way to retry a call in-process, for every layer (pure: no Django, no app).

- `Backoff` is the policy: waits grow exponentially from `base_seconds`, capped at `max_seconds`, with
  "equal jitter" (half the wait fixed, half random: spread, yet growing) where the caller asks for it.
  A wait the other side asks for (Retry-After) is honoured instead, never shortened, optionally
  stretched by up to `retry_after_spread` so that many waiters do not come back at the same instant.
- `Backoff.delay(attempt, ...)` is that policy as a number of seconds: what `core.stages.fail`
  writes to the database as a row's `retry_at` and what the crawler schedules, neither sleeping.
- `retry_call` and `retry_call_async` retry a call in-process with it, on tenacity: only errors
  `retry_on` accepts are retried, at most `attempts` calls in all and `max_total_wait` seconds of
  waiting; then the last error is raised as it is (the caller words "gave up" its own way).
- Every wait passes through `clamp_wait`: a Retry-After of `inf`, of 5000 digits or in the year 9999,
  a Crawl-delay of a million years, are MAX_WAIT_SECONDS, never an OverflowError or work parked for years.
"""

from __future__ import annotations

import asyncio
import math
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Required, TypedDict, Unpack

from tenacity import AsyncRetrying, RetryCallState, Retrying, retry_if_exception

# The longest any wait we are asked for may be: one day. Not a setting: it is a bound on what others
# (a header, a robots.txt) may ask of us, far above any wait a setting chooses.
MAX_WAIT_SECONDS = 86_400.0


def clamp_wait(seconds: float) -> float:
    """`seconds` bounded to [0, MAX_WAIT_SECONDS]; NaN counts as 0."""
    if not seconds > 0:  # negative, zero or NaN
        return 0.0
    return min(float(seconds), MAX_WAIT_SECONDS)


@dataclass(frozen=True)
class Backoff:
    """How long to wait before trying again; see the module's docstring."""

    base_seconds: float
    max_seconds: float
    jitter: bool = False
    retry_after_spread: float = 0.0  # a fraction: 0.1 waits between 1 and 1.1 times the Retry-After

    def delay(
        self,
        attempt: int,
        *,
        retry_after: float | None = None,
        rand: Callable[[], float] = random.random,
    ) -> float:
        """Seconds to wait after the `attempt`-th failed attempt (1 for the first); `rand` is in [0, 1)."""
        if retry_after is not None:
            wait = clamp_wait(retry_after)
            return (
                clamp_wait(wait * (1 + self.retry_after_spread * rand())) if self.retry_after_spread else wait
            )
        # The exponent is bounded so that a row failed a thousand times cannot overflow a float.
        ceiling = clamp_wait(min(self.max_seconds, self.base_seconds * 2.0 ** min(attempt - 1, 64)))
        return ceiling / 2 + rand() * ceiling / 2 if self.jitter else ceiling


def _no_retry_after(error: BaseException) -> float | None:
    return None


type OnRetry = Callable[[BaseException, int, float], None]  # (error, attempt that failed, seconds to wait)


class RetryOptions(TypedDict, total=False):
    """What `retry_call` and `retry_call_async` share (see `_tenacity_options` for the defaults)."""

    backoff: Required[Backoff]
    attempts: Required[int]  # calls in all, the first included
    retry_on: Required[Callable[[BaseException], bool]]  # which errors are worth another call
    retry_after: Callable[[BaseException], float | None]  # the wait an error asks for, if any
    max_total_wait: float  # seconds of waiting in all
    on_retry: OnRetry | None  # called before each wait (to log, or to slow other calls down)
    rand: Callable[[], float]  # the jitter's source, in [0, 1)


def _tenacity_options(
    *,
    backoff: Backoff,
    attempts: int,
    retry_on: Callable[[BaseException], bool],
    retry_after: Callable[[BaseException], float | None] = _no_retry_after,
    max_total_wait: float = math.inf,
    on_retry: OnRetry | None = None,
    rand: Callable[[], float] = random.random,
) -> dict[str, Any]:
    attempts = max(1, attempts)

    def error(state: RetryCallState) -> BaseException:
        assert state.outcome is not None
        exc = state.outcome.exception()
        assert exc is not None  # only errors are retried (retry_if_exception)
        return exc

    def wait(state: RetryCallState) -> float:
        return backoff.delay(state.attempt_number, retry_after=retry_after(error(state)), rand=rand)

    def stop(state: RetryCallState) -> bool:
        # tenacity computes the wait before it asks whether to stop: `upcoming_sleep` is that wait.
        return state.attempt_number >= attempts or state.idle_for + state.upcoming_sleep > max_total_wait

    def before_sleep(state: RetryCallState) -> None:
        if on_retry is not None:
            on_retry(error(state), state.attempt_number, state.upcoming_sleep)

    return {
        "retry": retry_if_exception(retry_on),
        "wait": wait,
        "stop": stop,
        "before_sleep": before_sleep,
        "reraise": True,
    }


def retry_call[T](
    func: Callable[[], T],
    *,
    sleep: Callable[[float], None] = time.sleep,
    **options: Unpack[RetryOptions],
) -> T:
    """Call `func`; while it raises an error `retry_on` accepts, wait (`backoff`, or the error's
    `retry_after`) and call it again, within `attempts` calls and `max_total_wait` seconds of waiting.
    The last error is raised as it is; other errors at once."""
    return Retrying(sleep=sleep, **_tenacity_options(**options))(func)


async def retry_call_async[T](
    func: Callable[[], Awaitable[T]],
    *,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    **options: Unpack[RetryOptions],
) -> T:
    """`retry_call` for a coroutine function: the waits are `await sleep(...)`, never blocking the loop."""
    result: T = await AsyncRetrying(sleep=sleep, **_tenacity_options(**options))(func)
    return result
