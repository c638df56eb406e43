"""Firestore over google-cloud-firestore: one document per entity, its public ID as document ID.

Writes go through `BulkWriter` (Firestore's tool for bulk loads): batches of 20 writes
sent in parallel, each document's outcome reported on its own, and the 500/50/5 ramp-up (500 writes a
second at first, 50% more every 5 minutes of sustained load, up to FIRESTORE_BULK_MAX_OPS) kept across
the whole push, since every write of a target shares one rate limiter. Writes are not atomic across documents
(they never needed to be: each document stands alone). Document IDs are random (`entities.models.
new_public_id`), so writes spread over the key space instead of piling onto one tablet.

Failures: a write Firestore refuses for its content (INVALID_ARGUMENT) is that document's alone; a
request refused as a whole for its content leaves what it did not write to the caller to split; a
transient error (UNAVAILABLE, ABORTED, RESOURCE_EXHAUSTED...) is retried by the writer up to
`retry_attempts` times; a request that fails as a whole (the emulator or the service down) goes through
`call_with_retries`, then stops the write: what was not written is retried by the next push. Sizes
are checked before sending (`sync.targets.limits`), so a refusal is the exception.

Reconcile reads whole documents and hashes their content (`list_hashes`), a page at a time.

With an emulator host the client talks to the emulator (insecure channel, anonymous credentials, and
the "Bearer owner" token that makes it an admin, above the security rules), as the library does when
FIRESTORE_EMULATOR_HOST is set in the environment; here the host may also come from settings, so the
client is built with that variable set for the moment of its construction.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

from google.api_core import exceptions as gexc
from google.cloud import firestore
from google.cloud.firestore_v1.bulk_batch import BulkWriteBatch
from google.cloud.firestore_v1.bulk_writer import (
    BulkRetry,
    BulkWriteFailure,
    BulkWriter,
    BulkWriterOptions,
)
from google.cloud.firestore_v1.field_path import FieldPath
from google.cloud.firestore_v1.rate_limiter import RateLimiter
from google.cloud.firestore_v1.types.firestore import BatchWriteResponse

from sync.serializers import content_hash, to_json
from sync.targets.base import Document, TargetUnavailable, WriteOutcome, WritesBy, call_with_retries
from sync.targets.limits import firestore_problem

# Documents one push batch hands to the writer, which sends them 20 to a request.
MAX_DOCUMENTS_PER_WRITE = 1000
LIST_PAGE_SIZE = 1000
EMULATOR_ENV = "FIRESTORE_EMULATOR_HOST"
# gRPC status codes of a single write (https://grpc.github.io/grpc/core/md_doc_statuscodes.html).
INVALID_ARGUMENT = 3
TRANSIENT_CODES = frozenset(
    {2, 4, 8, 10, 13, 14}
)  # unknown, deadline, exhausted, aborted, internal, unavailable

_TRANSIENT = (
    gexc.ServiceUnavailable,
    gexc.DeadlineExceeded,
    gexc.ResourceExhausted,  # 429: quota or contention
    gexc.InternalServerError,
    gexc.Aborted,
    gexc.GatewayTimeout,
    gexc.BadGateway,
    gexc.Unknown,
    gexc.RetryError,
)

_clients: dict[tuple[int, str, str, str, str], firestore.Client] = {}
_clients_lock = threading.Lock()


def is_transient(exc: BaseException) -> bool:
    return isinstance(exc, (*_TRANSIENT, ConnectionError, TimeoutError))


@contextmanager
def _emulator_env(host: str) -> Iterator[None]:
    """FIRESTORE_EMULATOR_HOST set to `host` (or unset) while the client reads it."""
    before = os.environ.get(EMULATOR_ENV)
    if host:
        os.environ[EMULATOR_ENV] = host
    else:
        os.environ.pop(EMULATOR_ENV, None)
    try:
        yield
    finally:
        if before is None:
            os.environ.pop(EMULATOR_ENV, None)
        else:
            os.environ[EMULATOR_ENV] = before


def firestore_client(
    *, project: str, emulator_host: str = "", credentials_file: str = "", database: str = ""
) -> firestore.Client:
    """One client (one gRPC channel) per process and configuration: clients are meant to live long, and
    a channel must not cross a fork, hence the process ID in the key."""
    key = (os.getpid(), project, emulator_host, credentials_file, database)
    with _clients_lock:
        client = _clients.get(key)
        if client is None:
            credentials = None
            if credentials_file and not emulator_host:
                import google.auth

                credentials, _ = google.auth.load_credentials_from_file(
                    credentials_file, scopes=list(firestore.Client.SCOPE)
                )
            with _emulator_env(emulator_host):
                client = firestore.Client(project=project, credentials=credentials, database=database or None)
            _clients[key] = client
        return client


class _Writer(BulkWriter):
    """The library's BulkWriter, sending each batch through our retry policy: a request that still
    fails marks the target unavailable, and the batches after it are not sent.

    One writer per `write`, sharing the target's rate limiter: a flushed writer cannot be reused (its
    `flush` returns at once once its executor was shut down, dropping writes of fewer than 20), and
    the shared limiter keeps the ramp-up across the whole push."""

    def __init__(
        self,
        client: firestore.Client,
        options: BulkWriterOptions,
        target: FirestoreTarget,
        limiter: RateLimiter,
    ):
        super().__init__(client=client, options=options)
        self._rate_limiter = limiter
        self._target = target
        self.request_failure: BaseException | None = None
        self.requests = 0

    def _send(self, batch: BulkWriteBatch) -> BatchWriteResponse:
        if self.request_failure is not None:
            return BatchWriteResponse()  # no answer: its documents count as not written
        try:
            response: BatchWriteResponse = self._target._call(
                lambda: batch.commit(retry=None, timeout=self._target.timeout),
                f"batch write of {len(batch)} documents",
            )
        except Exception as exc:
            self.request_failure = exc
            return BatchWriteResponse()
        self.requests += 1
        return response


class FirestoreTarget(WritesBy):
    name = "firestore"
    max_batch = MAX_DOCUMENTS_PER_WRITE

    def __init__(
        self,
        *,
        project: str,
        emulator_host: str = "",
        credentials_file: str = "",
        database: str = "",
        client: firestore.Client | None = None,
        retry_attempts: int = 4,
        retry_base_delay: float = 1.0,
        timeout: float = 60.0,
        initial_ops_per_second: int = 500,
        max_ops_per_second: int = 10_000,
    ):
        self.project = project
        self.client = client or firestore_client(
            project=project, emulator_host=emulator_host, credentials_file=credentials_file, database=database
        )
        self.retry_attempts = retry_attempts
        self.retry_base_delay = retry_base_delay
        self.timeout = timeout
        self.options = BulkWriterOptions(
            initial_ops_per_second=initial_ops_per_second,
            max_ops_per_second=max(initial_ops_per_second, max_ops_per_second),
            # Linear: 1 s, 2 s, 3 s... between attempts at one write; none when retries are meant fast.
            retry=BulkRetry.linear if retry_base_delay > 0 else BulkRetry.immediate,
        )
        self._limiter = RateLimiter(
            initial_tokens=self.options.initial_ops_per_second,
            global_max_tokens=self.options.max_ops_per_second,
        )
        self.commits = 0  # batch-write requests sent, for tests and the benchmark

    def _call(self, func: Any, what: str) -> Any:
        return call_with_retries(
            func,
            is_transient=is_transient,
            attempts=self.retry_attempts,
            base_delay=self.retry_base_delay,
            what=f"Firestore {what}",
        )

    def write(
        self, collection: str, upserts: Sequence[tuple[str, Document]], deletes: Sequence[str]
    ) -> WriteOutcome:
        outcome = WriteOutcome()
        if not upserts and not deletes:
            return outcome
        lock = threading.Lock()
        failures: dict[str, str] = {}
        writer = _Writer(self.client, self.options, self, self._limiter)

        def written(reference: Any, result: Any, _writer: Any) -> None:
            with lock:
                outcome.done.add(reference.id)

        def failed(failure: BulkWriteFailure, _writer: Any) -> bool:
            doc_id = failure.operation.reference.id  # type: ignore[attr-defined]  # every operation has one
            reason = f"code {failure.code}: {failure.message}"
            if failure.code in TRANSIENT_CODES and failure.attempts + 1 < self.retry_attempts:
                return True  # the writer sends it again after its backoff
            with lock:
                if failure.code == INVALID_ARGUMENT:
                    outcome.refused[doc_id] = f"Firestore refused the document: {reason}"
                else:
                    failures[doc_id] = reason
            return False

        writer.on_write_result(written)
        writer.on_write_error(failed)
        coll = self.client.collection(collection)
        for doc_id, doc in upserts:
            writer.set(coll.document(doc_id), doc)
        for doc_id in deletes:
            writer.delete(coll.document(doc_id))
        writer.close()
        self.commits += writer.requests
        unsettled = [
            doc_id
            for doc_id in [*(d for d, _ in upserts), *deletes]
            if doc_id not in outcome.done and doc_id not in outcome.refused
        ]
        if isinstance(writer.request_failure, gexc.InvalidArgument):
            # A request refused as a whole (the emulator does this for a document over 1 MiB): which
            # document is at fault is not said, so the caller splits what was not written.
            reason = f"Firestore refused a batch write: {writer.request_failure}"
            outcome.refused_together = dict.fromkeys(unsettled, reason)
        elif writer.request_failure is not None:
            outcome.failure = writer.request_failure
        elif failures:
            doc_id, reason = next(iter(failures.items()))
            outcome.failure = TargetUnavailable(
                f"Firestore did not write {len(failures)} document(s) to {collection}, e.g. {doc_id}: {reason}"
            )
        return outcome

    def document_problem(self, collection: str, doc_id: str, doc: Mapping[str, Any]) -> str | None:
        return firestore_problem(collection, doc_id, doc)

    def list_hashes(self, collection: str) -> dict[str, str | None]:
        """Every document ID with the hash of its content, read a page at a time in document-ID order."""
        hashes: dict[str, str | None] = {}
        query = self.client.collection(collection).order_by(FieldPath.document_id()).limit(LIST_PAGE_SIZE)
        last = None
        while True:
            page_query = query.start_after(last) if last is not None else query
            page = self._call(
                lambda q=page_query: q.get(retry=None, timeout=self.timeout), f"list of {collection}"
            )
            for snapshot in page:
                hashes[snapshot.id] = content_hash(to_json(snapshot.to_dict() or {}))
            if len(page) < LIST_PAGE_SIZE:
                return hashes
            last = page[-1]

    def get(self, collection: str, doc_id: str) -> Document | None:
        snapshot = self._call(
            lambda: self.client.collection(collection).document(doc_id).get(retry=None, timeout=self.timeout),
            f"read of {collection}/{doc_id}",
        )
        return snapshot.to_dict() if snapshot.exists else None

    def close(self) -> None:
        """Nothing to do: the client is shared by the process (see `firestore_client`)."""
