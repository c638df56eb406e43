"""What every sync target shares: the interface, the bounded in-call retry and request splitting.

No Django import: targets take their configuration as arguments (see `sync.services.target_for`).
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, Protocol

from core.retry import Backoff, retry_call
from sync.serializers import document_hash

logger = logging.getLogger(__name__)

Document = dict[str, Any]
# The field Firestore documents and Algolia records carry with the hash of the rest of the document,
# so reconcile compares hashes without reading whole documents (`sync.serializers.document_hash`).
HASH_FIELD = "_hash"


def content_hash(stored: Document) -> str:
    """The hash of a stored document's content, leaving out the `_hash` stored with it."""
    return document_hash({k: v for k, v in stored.items() if k != HASH_FIELD})


class DocumentTarget(Protocol):
    """A place documents are pushed to: Firestore, Algolia, or the local stand-in."""

    name: str
    # The most documents one `sync_push` batch hands to `upsert` (the target splits further if it must).
    max_batch: int

    def upsert(self, collection: str, docs: Sequence[tuple[str, Document]]) -> int: ...
    def delete(self, collection: str, doc_ids: Sequence[str]) -> int: ...
    def list_hashes(self, collection: str, *, deep: bool = False) -> dict[str, str | None]:
        """Every document ID in the collection and the hash of what it holds: the `_hash` stored with
        it (None if there is none), or with `deep` the hash of its content (reads whole documents,
        and catches edits made behind our back)."""
        ...

    def close(self) -> None: ...


class TargetUnavailable(Exception):
    """A transient failure (outage, timeout, rate limit) that outlived the in-call retries.

    The caller keeps the records and tries again later."""


class TargetRefused(Exception):
    """The target answered that the request itself is wrong (a document too big or malformed).

    Retrying the same request cannot help; the caller splits it to find the document at fault."""


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
