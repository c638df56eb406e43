"""Firestore over google-cloud-firestore: one document per entity, its public ID as document ID.

Writes go in `WriteBatch` commits of at most 500 writes (Firestore's limit) and about 9 MB (the commit
request limit is 10 MiB). Each document carries `_hash`, the hash of the rest of it, so reconcile reads
only that field (a field-mask query) instead of whole documents. The library's own retry is off: every
call goes through `call_with_retries`, so one policy (attempts, backoff) holds for all targets.

With an emulator host the client talks to the emulator (insecure channel, anonymous credentials), as
the library does when FIRESTORE_EMULATOR_HOST is set in the environment; here the host may also come
from settings, so the client is built with that variable set for the moment of its construction.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from google.api_core import exceptions as gexc
from google.cloud import firestore
from google.cloud.firestore_v1.field_path import FieldPath

from sync.serializers import document_hash
from sync.targets.base import (
    HASH_FIELD,
    Document,
    TargetRefused,
    call_with_retries,
    content_hash,
    json_size,
    split_requests,
)

MAX_WRITES_PER_BATCH = 500
MAX_BATCH_BYTES = 9_000_000
LIST_PAGE_SIZE = 1000
EMULATOR_ENV = "FIRESTORE_EMULATOR_HOST"

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


class FirestoreTarget:
    name = "firestore"
    max_batch = MAX_WRITES_PER_BATCH

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
        max_batch_bytes: int = MAX_BATCH_BYTES,
    ):
        self.project = project
        self.client = client or firestore_client(
            project=project, emulator_host=emulator_host, credentials_file=credentials_file, database=database
        )
        self.retry_attempts = retry_attempts
        self.retry_base_delay = retry_base_delay
        self.timeout = timeout
        self.max_batch_bytes = max_batch_bytes
        self.commits = 0  # batch commits sent, for tests and the benchmark

    def _call(self, func: Any, what: str) -> Any:
        return call_with_retries(
            func,
            is_transient=is_transient,
            attempts=self.retry_attempts,
            base_delay=self.retry_base_delay,
            what=f"Firestore {what}",
        )

    def _commit(self, collection: str, writes: list[tuple[str, Document | None]]) -> None:
        """One atomic batch: set (replace) each document, or delete it where the document is None."""
        coll = self.client.collection(collection)

        def commit() -> None:
            batch = self.client.batch()
            for doc_id, doc in writes:
                if doc is None:
                    batch.delete(coll.document(doc_id))
                else:
                    batch.set(coll.document(doc_id), doc)
            batch.commit(retry=None, timeout=self.timeout)

        try:
            self._call(commit, f"commit of {len(writes)} writes to {collection}")
        except gexc.InvalidArgument as exc:  # a document Firestore cannot store (too big, nested arrays)
            raise TargetRefused(f"Firestore refused a write to {collection}: {exc}") from exc
        self.commits += 1

    def _write(self, collection: str, writes: Sequence[tuple[str, Document | None]]) -> int:
        for chunk in split_requests(
            writes,
            max_items=MAX_WRITES_PER_BATCH,
            max_bytes=self.max_batch_bytes,
            size=lambda w: len(w[0]) + 64 + (json_size(w[1]) if w[1] is not None else 0),
        ):
            self._commit(collection, chunk)
        return len(writes)

    def upsert(self, collection: str, docs: Sequence[tuple[str, Document]]) -> int:
        """Replace each document with `doc` plus its `_hash`."""
        return self._write(
            collection, [(doc_id, {**doc, HASH_FIELD: document_hash(doc)}) for doc_id, doc in docs]
        )

    def delete(self, collection: str, doc_ids: Sequence[str]) -> int:
        return self._write(collection, [(doc_id, None) for doc_id in doc_ids])

    def list_hashes(self, collection: str, *, deep: bool = False) -> dict[str, str | None]:
        """Every document ID with its `_hash` (a field-mask query), or with `deep` the hash of its
        content; read a page at a time in document-ID order."""
        hashes: dict[str, str | None] = {}
        query = self.client.collection(collection).order_by(FieldPath.document_id()).limit(LIST_PAGE_SIZE)
        if not deep:
            query = query.select([HASH_FIELD])
        last = None
        while True:
            page_query = query.start_after(last) if last is not None else query
            page = self._call(
                lambda q=page_query: q.get(retry=None, timeout=self.timeout), f"list of {collection}"
            )
            for snapshot in page:
                data = snapshot.to_dict() or {}
                value = content_hash(data) if deep else data.get(HASH_FIELD)
                hashes[snapshot.id] = value if isinstance(value, str) else None
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
