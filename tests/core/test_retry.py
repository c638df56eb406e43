"""core.retry: the one backoff policy and the one in-process retry (sync and async)."""

from __future__ import annotations

import asyncio
import math
import subprocess
import sys

import pytest

from core.retry import MAX_WAIT_SECONDS, Backoff, clamp_wait, retry_call, retry_call_async


class Flaky:
    """Raises the given errors one call after another, then returns "ok"."""

    def __init__(self, *errors: BaseException) -> None:
        self.errors = list(errors)
        self.calls = 0

    def __call__(self) -> str:
        self.calls += 1
        if self.errors:
            raise self.errors.pop(0)
        return "ok"


class Slow(Exception):
    def __init__(self, retry_after: float | None = None) -> None:
        super().__init__(f"slow down ({retry_after})")
        self.retry_after = retry_after


def transient(exc: BaseException) -> bool:
    return isinstance(exc, ConnectionError | Slow)


def hint(exc: BaseException) -> float | None:
    return exc.retry_after if isinstance(exc, Slow) else None


EXP = Backoff(base_seconds=1, max_seconds=10)


@pytest.mark.parametrize(
    ("attempt", "seconds"), [(0, 0.5), (1, 1), (2, 2), (3, 4), (4, 8), (5, 10), (10**6, 10)]
)
def test_backoff_doubles_up_to_its_cap_and_a_huge_attempt_cannot_overflow(attempt, seconds):
    assert EXP.delay(attempt) == seconds


@pytest.mark.parametrize(("rand", "seconds"), [(0.0, 2.0), (0.5, 3.0), (0.999, 3.998)])
def test_equal_jitter_keeps_half_the_wait_and_randomises_the_other_half(rand, seconds):
    backoff = Backoff(base_seconds=1, max_seconds=10, jitter=True)
    assert backoff.delay(3, rand=lambda: rand) == pytest.approx(seconds)


def test_retry_after_is_honoured_never_shortened_and_spread_only_when_asked():
    assert EXP.delay(1, retry_after=7) == 7  # above the backoff's cap: the server's word counts
    assert Backoff(1, 10, jitter=True).delay(1, retry_after=7, rand=lambda: 0.0) == 7
    spread = Backoff(1, 10, retry_after_spread=0.1)
    assert spread.delay(1, retry_after=10, rand=lambda: 0.0) == 10
    assert spread.delay(1, retry_after=10, rand=lambda: 0.5) == pytest.approx(10.5)


@pytest.mark.parametrize(
    ("asked", "seconds"),
    [(math.inf, MAX_WAIT_SECONDS), (1e300, MAX_WAIT_SECONDS), (-5, 0), (math.nan, 0), (30, 30)],
)
def test_absurd_waits_are_clamped(asked, seconds):
    assert clamp_wait(asked) == seconds
    assert EXP.delay(1, retry_after=asked) == seconds
    assert (
        Backoff(1, 10, retry_after_spread=0.1).delay(1, retry_after=asked, rand=lambda: 0.99)
        <= MAX_WAIT_SECONDS
    )


def test_retry_call_retries_then_succeeds_sleeping_the_policy_and_the_retry_after():
    sleeps: list[float] = []
    seen: list[tuple[str, int, float]] = []
    flaky = Flaky(ConnectionError("refused"), Slow(retry_after=5), ConnectionError("refused"))

    result = retry_call(
        flaky,
        backoff=EXP,
        attempts=4,
        retry_on=transient,
        retry_after=hint,
        on_retry=lambda exc, attempt, delay: seen.append((type(exc).__name__, attempt, delay)),
        sleep=sleeps.append,
    )

    assert result == "ok"
    assert flaky.calls == 4
    assert sleeps == [1, 5, 4]
    assert seen == [("ConnectionError", 1, 1), ("Slow", 2, 5), ("ConnectionError", 3, 4)]


def test_retry_call_gives_up_with_the_last_error_as_it_is():
    sleeps: list[float] = []
    last = ConnectionError("third")
    flaky = Flaky(ConnectionError("first"), ConnectionError("second"), last)
    with pytest.raises(ConnectionError) as info:
        retry_call(flaky, backoff=EXP, attempts=3, retry_on=transient, sleep=sleeps.append)
    assert info.value is last
    assert flaky.calls == 3
    assert sleeps == [1, 2]


def test_retry_call_lets_other_errors_through_at_once():
    sleeps: list[float] = []
    flaky = Flaky(ValueError("a bug"))
    with pytest.raises(ValueError, match="a bug"):
        retry_call(flaky, backoff=EXP, attempts=5, retry_on=transient, sleep=sleeps.append)
    assert flaky.calls == 1
    assert sleeps == []


def test_retry_call_stops_before_waiting_more_than_allowed_in_total():
    sleeps: list[float] = []
    flaky = Flaky(*[ConnectionError(str(n)) for n in range(10)])
    with pytest.raises(ConnectionError, match="^3$"):
        retry_call(flaky, backoff=EXP, attempts=10, retry_on=transient, max_total_wait=7, sleep=sleeps.append)
    assert sleeps == [1, 2, 4]  # 8 more seconds would make 15


def test_retry_call_async_waits_without_blocking_and_gives_up_the_same_way():
    sleeps: list[float] = []

    async def sleep(seconds: float) -> None:
        sleeps.append(seconds)

    async def main() -> tuple[str, BaseException]:
        flaky = Flaky(Slow(retry_after=2), ConnectionError("refused"))

        async def call() -> str:
            await asyncio.sleep(0)
            return flaky()

        ok = await retry_call_async(
            call, backoff=EXP, attempts=3, retry_on=transient, retry_after=hint, sleep=sleep
        )
        failing = Flaky(*[ConnectionError(str(n)) for n in range(5)])

        async def fail() -> str:
            return failing()

        with pytest.raises(ConnectionError) as info:
            await retry_call_async(fail, backoff=EXP, attempts=2, retry_on=transient, sleep=sleep)
        return ok, info.value

    ok, error = asyncio.run(main())
    assert ok == "ok"
    assert str(error) == "1"
    assert sleeps == [2, 2, 1]


def test_core_retry_imports_no_django_and_no_app():
    code = (
        "import sys, core.retry\n"
        "apps = ('django', 'mystage', 'sourcing', 'extraction', 'entities', 'sync')\n"
        "assert not [m for m in sys.modules if m.split('.')[0] in apps], sorted(sys.modules)\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
