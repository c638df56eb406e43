"""What every sync target shares: the interface, the outcome of a write, the bounded in-call retry and
request splitting.

No Django import: targets take their configuration as arguments (see `sync.services.target_for`).
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from core.retry import Backoff, retry_call

logger = logging.getLogger(__name__)

Document = dict[str, Any]


@dataclass
class WriteOutcome:
    """What became of each document of one `write`.

    - `done`: written (or deleted);
    - `refused`: the target refused that document for its content (too big, malformed): sending it
      again cannot help, so it is rejected for good, with the reason;
    - `refused_together`: the target refused a whole request without naming the document at fault
      (Algolia answers 400 for a batch): the caller splits the request to find it;
    - `failure`: the target was unavailable (or refused our credentials) for everything else: those
      documents are retried later.
    Documents in none of the sets were not sent (the write stopped at the failure)."""

    done: set[str] = field(default_factory=set)
    refused: dict[str, str] = field(default_factory=dict)
    refused_together: dict[str, str] = field(default_factory=dict)
    failure: BaseException | None = None

    def raise_unless_complete(self, what: str) -> None:
        """For callers that only write whole sets (reconcile's deletes, tests): any problem is an error."""
        if self.failure is not None:
            raise TargetUnavailable(f"{what}: {self.failure}") from self.failure
        problems = {**self.refused, **self.refused_together}
        if problems:
            doc_id, reason = next(iter(problems.items()))
            raise TargetRefused(f"{what}: {len(problems)} refused, e.g. {doc_id}: {reason}")


class DocumentTarget(Protocol):
    """A place documents are pushed to: Firestore, Algolia, or the local stand-in."""

    name: str
    # The most documents one `sync_push` batch hands to `write` (the target splits further if it must).
    max_batch: int

    def write(
        self, collection: str, upserts: Sequence[tuple[str, Document]], deletes: Sequence[str]
    ) -> WriteOutcome:
        """Replace each document of `upserts` (ID, whole document) and delete each ID of `deletes`."""
        ...

    def document_problem(self, collection: str, doc_id: str, doc: Mapping[str, Any]) -> str | None:
        """Why the target would refuse this document (over its size limit), checked before sending;
        None when it fits."""
        ...

    def list_hashes(self, collection: str) -> dict[str, str | None]:
        """Every document ID in the collection and the hash of its content (`sync.serializers.
        content_hash`; None for a document we cannot read), which catches edits made behind our back."""
        ...

    def close(self) -> None: ...


class WritesBy:
    """`upsert` and `delete` for whole sets, on top of a target's `write`."""

    def write(
        self, collection: str, upserts: Sequence[tuple[str, Document]], deletes: Sequence[str]
    ) -> WriteOutcome:
        raise NotImplementedError

    def upsert(self, collection: str, docs: Sequence[tuple[str, Document]]) -> int:
        self.write(collection, docs, []).raise_unless_complete(f"upsert to {collection}")
        return len(docs)

    def delete(self, collection: str, doc_ids: Sequence[str]) -> int:
        self.write(collection, [], doc_ids).raise_unless_complete(f"delete from {collection}")
        return len(doc_ids)


class TargetUnavailable(Exception):
    """A transient failure (outage, timeout, rate limit) that outlived the in-call retries.

    The caller keeps the records and tries again later."""


class TargetRefused(Exception):
    """The target answered that the request itself is wrong (a document too big or malformed)."""


def call_with_retries[T](
    func: Callable[[], T],
    *,
    is_transient: Callable[[BaseException], bool],
    attempts: int,
    base_delay: float,
    what: str,
    max_delay: float = 30.0,
    before_retry: Callable[[], None] | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> T:
    """Call `func`; on a transient error wait (exponential backoff with jitter) and call it again, at most
    `attempts` times in all, then raise `TargetUnavailable`. Other errors propagate at once."""
    calls = 0

    def call() -> T:
        nonlocal calls
        calls += 1
        if calls > 1 and before_retry is not None:
            before_retry()
        return func()

    def log(exc: BaseException, attempt: int, delay: float) -> None:
        logger.info(
            "%s failed (%s), attempt %s of %s; retrying in %.1fs", what, exc, attempt, attempts, delay
        )

    try:
        return retry_call(
            call,
            backoff=Backoff(base_seconds=base_delay, max_seconds=max_delay, jitter=True),
            attempts=attempts,
            retry_on=is_transient,
            on_retry=log,
            sleep=sleep,
        )
    except Exception as exc:
        if not is_transient(exc):
            raise
        raise TargetUnavailable(f"{what}: {type(exc).__name__}: {exc}") from exc


def json_size(value: Any, *, compact: bool = True) -> int:
    """Bytes `value` takes as JSON, for request-size limits: compact UTF-8, or as `json.dumps` writes by
    default (", " and ": ", non-ASCII escaped), which is how the Algolia client sends bodies."""
    if compact:
        return len(json.dumps(value, separators=(",", ":"), ensure_ascii=False, default=str).encode())
    return len(json.dumps(value, default=str))


def split_requests[T](
    items: Iterable[T], *, max_items: int, max_bytes: int, size: Callable[[T], int]
) -> Iterator[list[T]]:
    """Group items into requests of at most `max_items` and about `max_bytes` each (an item bigger than
    `max_bytes` travels alone and lets the service answer for it)."""
    chunk: list[T] = []
    chunk_bytes = 0
    for item in items:
        item_bytes = size(item)
        if chunk and (len(chunk) >= max_items or chunk_bytes + item_bytes > max_bytes):
            yield chunk
            chunk, chunk_bytes = [], 0
        chunk.append(item)
        chunk_bytes += item_bytes
    if chunk:
        yield chunk
