"""Algolia over the official client (`algoliasearch` v4, `SearchClientSync`): one index per entity type.

- Records come from `sync.serializers.search_record` (objectID = public ID, `_geoloc` where the venue's
  coordinates are known); reconcile browses whole records and hashes their content.
- Writes are `batch` requests of at most 1,000 actions and about 9 MB each (Algolia's guidance is
  1,000 records and 10 MB per batch); bigger pushes are split. A record over the plan's record size
  (ALGOLIA_MAX_RECORD_BYTES, 10 KB on most plans) is never sent: it is rejected before sending.
- Index settings live here, in code (`INDEX_SETTINGS`, `REPLICAS`), and are applied the first time a
  target writes to an index, only where the live settings differ.
- `reindex` rebuilds an index without downtime: copy the live settings, synonyms and rules to a
  temporary index, push every record there, wait, then `move` it onto the live index (replicas stay
  attached to the live name and receive the new records).
- Tasks are waited for where order matters across indexes (reindex, reconcile repair); plain pushes do
  not wait, because Algolia applies one index's tasks in order.

ALGOLIA_HOSTS replaces the default hosts (e.g. `http://127.0.0.1:PORT` for the test server). The
client's own retry tries every host once per call and waits out HTTP 429 (Retry-After) a few times;
`call_with_retries` adds a bounded, backed-off retry of the whole call on top of it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from functools import partial
from typing import Any
from urllib.parse import urlsplit

import requests
from algoliasearch.http.exceptions import AlgoliaUnreachableHostException, RequestException
from algoliasearch.http.hosts import Host, HostsCollection
from algoliasearch.search.client import SearchClientSync
from algoliasearch.search.config import SearchConfig

from sync.serializers import content_hash
from sync.targets.base import (
    Document,
    WriteOutcome,
    WritesBy,
    call_with_retries,
    json_size,
    split_requests,
)
from sync.targets.limits import ALGOLIA_DEFAULT_MAX_RECORD_BYTES, ALGOLIA_MAX_RECORD_BYTES, algolia_problem

logger = logging.getLogger(__name__)

MAX_OBJECTS_PER_BATCH = 1000
MAX_BATCH_BYTES = 9_000_000
BROWSE_PAGE_SIZE = 1000

DEFAULT_RANKING = ["typo", "geo", "words", "filters", "proximity", "attribute", "exact", "custom"]
# Index settings from code, per unprefixed index name. Attributes are those of the contract's records
# (`sync.contract.VenueRecord`, `ArtistRecord`, `PerformanceRecord`).
INDEX_SETTINGS: dict[str, dict[str, Any]] = {
    "venues": {
        "searchableAttributes": ["name", "former_names", "city", "street"],
        "attributesForFaceting": ["searchable(city)", "region", "country", "kind", "status"],
    },
    "artists": {
        "searchableAttributes": ["name", "aliases"],
        "attributesForFaceting": ["searchable(genres)", "artist_type"],
    },
    "performances": {
        "searchableAttributes": ["name", "artists", "venue", "city"],
        "attributesForFaceting": [
            "searchable(city)",
            "country",
            "date",
            "event_status",
            "filterOnly(venue_id)",
            "filterOnly(artist_ids)",
        ],
    },
}
# Standard replicas sorting performances by date (`date_ts`, the local date as a Unix timestamp).
REPLICAS: dict[str, dict[str, dict[str, Any]]] = {
    "performances": {
        "performances_date_asc": {"ranking": ["asc(date_ts)", *DEFAULT_RANKING]},
        "performances_date_desc": {"ranking": ["desc(date_ts)", *DEFAULT_RANKING]},
    }
}


def is_transient(exc: BaseException) -> bool:
    """Outages, timeouts and rate limits: worth trying again later. A 4xx other than 429 is not."""
    if isinstance(exc, RequestException):
        status = exc.status_code
        return status is None or status == 429 or status >= 500
    return isinstance(
        exc,
        AlgoliaUnreachableHostException
        | requests.ConnectionError
        | requests.Timeout
        | ConnectionError
        | TimeoutError,
    )


def parse_host(spec: str) -> Host:
    """`http://127.0.0.1:8080`, `https://x.algolia.net` or `x.algolia.net[:port]` (HTTPS)."""
    parts = urlsplit(spec if "://" in spec else f"https://{spec}")
    if not parts.hostname:
        raise ValueError(f"ALGOLIA_HOSTS entry {spec!r} has no host name")
    return Host(url=parts.hostname, scheme=parts.scheme or "https", port=parts.port)


class AlgoliaTarget(WritesBy):
    name = "algolia"
    max_batch = MAX_OBJECTS_PER_BATCH

    def __init__(
        self,
        *,
        app_id: str,
        api_key: str,
        index_prefix: str = "",
        hosts: Sequence[str] = (),
        retry_attempts: int = 4,
        retry_base_delay: float = 1.0,
        max_batch_objects: int = MAX_OBJECTS_PER_BATCH,
        max_batch_bytes: int = MAX_BATCH_BYTES,
        max_record_bytes: int = ALGOLIA_DEFAULT_MAX_RECORD_BYTES,
    ):
        if not 0 < max_record_bytes <= ALGOLIA_MAX_RECORD_BYTES:
            raise ValueError(
                f"ALGOLIA_MAX_RECORD_BYTES must be between 1 and {ALGOLIA_MAX_RECORD_BYTES:,} "
                f"(Algolia's largest record size), not {max_record_bytes:,}"
            )
        self.max_record_bytes = max_record_bytes
        config = SearchConfig(app_id, api_key)
        if hosts:
            config.hosts = HostsCollection([parse_host(h) for h in hosts])
            # Custom hosts are reached directly, never through HTTP(S)_PROXY from the environment.
            config.proxies = {}
        self.config = config
        self.client = SearchClientSync.create_with_config(config=config)
        self.index_prefix = index_prefix
        self.retry_attempts = retry_attempts
        self.retry_base_delay = retry_base_delay
        self.max_batch_objects = min(max_batch_objects, MAX_OBJECTS_PER_BATCH)
        self.max_batch = self.max_batch_objects
        self.max_batch_bytes = max_batch_bytes
        self.batches = 0  # batch requests sent, for tests and the benchmark
        self._pending: list[tuple[str, int]] = []  # (index, taskID) not yet waited for
        self._settings_checked: set[str] = set()

    # --- plumbing ---------------------------------------------------------------------------

    def index_name(self, collection: str) -> str:
        return f"{self.index_prefix}{collection}"

    def _reset_hosts(self) -> None:
        # The client marks a host that failed as down for five minutes; with one custom host (or after
        # every default host failed) a retry must start from a clean slate.
        if self.config.hosts is not None:
            for host in [*self.config.hosts.read(), *self.config.hosts.write()]:
                host.reset()

    def _call(self, func: Callable[[], Any], what: str) -> Any:
        return call_with_retries(
            func,
            is_transient=is_transient,
            attempts=self.retry_attempts,
            base_delay=self.retry_base_delay,
            what=f"Algolia {what}",
            before_retry=self._reset_hosts,
        )

    def _batch(self, index: str, requests_: list[dict[str, Any]]) -> WriteOutcome:
        """Send the actions in as few requests as the limits allow; what became of each record."""
        outcome = WriteOutcome()
        # Sized as the client serialises the body: each action plus its ", " separator, within
        # `{"requests": [...]}`.
        for chunk in split_requests(
            requests_,
            max_items=self.max_batch_objects,
            max_bytes=self.max_batch_bytes - len('{"requests": []}'),
            size=lambda request: json_size(request, compact=False) + 2,
        ):
            ids = [str(r["body"]["objectID"]) for r in chunk]
            try:
                response = self._call(
                    partial(self.client.batch, index_name=index, batch_write_params={"requests": chunk}),
                    f"batch of {len(chunk)} to {index}",
                )
            except RequestException as exc:
                if exc.status_code in (400, 413):  # a record too big or malformed: which one is not said
                    outcome.refused_together |= dict.fromkeys(
                        ids, f"Algolia refused a batch to {index}: {exc}"
                    )
                    continue
                outcome.failure = exc  # credentials, permissions: nothing more gets through
                return outcome
            except Exception as exc:  # an outage that outlived the retries (TargetUnavailable)
                outcome.failure = exc
                return outcome
            self.batches += 1
            self._pending.append((index, response.task_id))
            outcome.done |= set(ids)
        return outcome

    def wait(self) -> None:
        """Wait until every task this target started is published."""
        while self._pending:
            index, task_id = self._pending[0]
            self._call(
                partial(self.client.wait_for_task, index_name=index, task_id=task_id),
                f"wait for task {task_id} on {index}",
            )
            self._pending.pop(0)

    # --- settings ---------------------------------------------------------------------------

    def _get_settings(self, index: str) -> dict[str, Any] | None:
        def get() -> dict[str, Any] | None:
            try:
                settings: dict[str, Any] = self.client.get_settings(index_name=index).to_dict()
            except RequestException as exc:
                if exc.status_code == 404:
                    return None
                raise
            return settings

        result: dict[str, Any] | None = self._call(get, f"settings of {index}")
        return result

    def _put_settings(self, index: str, wanted: dict[str, Any]) -> None:
        response = self._call(
            lambda: self.client.set_settings(index_name=index, index_settings=wanted),
            f"settings of {index}",
        )
        self._pending.append((index, response.task_id))

    def wanted_settings(self, collection: str) -> dict[str, Any]:
        wanted = dict(INDEX_SETTINGS.get(collection, {}))
        replicas = REPLICAS.get(collection)
        if replicas:
            wanted["replicas"] = [self.index_name(name) for name in replicas]
        return wanted

    def settings_drift(self, collection: str) -> dict[str, list[str]]:
        """Setting names that differ from the code, per index (the index and its replicas)."""
        drift: dict[str, list[str]] = {}
        checks = [(self.index_name(collection), self.wanted_settings(collection))]
        checks += [(self.index_name(name), s) for name, s in REPLICAS.get(collection, {}).items()]
        for index, wanted in checks:
            current = self._get_settings(index) or {}
            differing = [key for key, value in wanted.items() if current.get(key) != value]
            if differing:
                drift[index] = differing
        return drift

    def ensure_settings(self, collection: str) -> bool:
        """Apply the settings from code to the index and its replicas where they differ; True if changed."""
        index = self.index_name(collection)
        changed = False
        wanted = self.wanted_settings(collection)
        current = self._get_settings(index)
        if current is None or any(current.get(k) != v for k, v in wanted.items()):
            self._put_settings(index, wanted)
            changed = True
        # Replicas get the same settings plus their own ranking (set here rather than forwarded).
        for replica, replica_settings in REPLICAS.get(collection, {}).items():
            name = self.index_name(replica)
            wanted_replica = {**INDEX_SETTINGS.get(collection, {}), **replica_settings}
            current_replica = self._get_settings(name)
            if current_replica is None or any(current_replica.get(k) != v for k, v in wanted_replica.items()):
                self._put_settings(name, wanted_replica)
                changed = True
        self._settings_checked.add(collection)
        return changed

    # --- the DocumentTarget interface --------------------------------------------------------

    def write(
        self, collection: str, upserts: Sequence[tuple[str, Document]], deletes: Sequence[str]
    ) -> WriteOutcome:
        """Add or replace each record (objectID = the document ID), delete the others: one batch."""
        if not upserts and not deletes:
            return WriteOutcome()
        if upserts and collection not in self._settings_checked:
            try:
                self.ensure_settings(collection)
            except Exception as exc:
                return WriteOutcome(failure=exc)
        return self._batch(
            self.index_name(collection),
            [{"action": "updateObject", "body": {**doc, "objectID": doc_id}} for doc_id, doc in upserts]
            + [{"action": "deleteObject", "body": {"objectID": doc_id}} for doc_id in deletes],
        )

    def document_problem(self, collection: str, doc_id: str, doc: Mapping[str, Any]) -> str | None:
        return algolia_problem({**doc, "objectID": doc_id}, max_bytes=self.max_record_bytes)

    def list_hashes(self, collection: str) -> dict[str, str | None]:
        """Every objectID with the hash of its record's content; 1,000 records a page."""
        index = self.index_name(collection)
        hashes: dict[str, str | None] = {}
        cursor: str | None = None
        while True:
            params: dict[str, Any] = {"hitsPerPage": BROWSE_PAGE_SIZE}
            if cursor:
                params["cursor"] = cursor

            def browse(p: dict[str, Any] = params) -> Any:
                try:
                    return self.client.browse(index_name=index, browse_params=p)
                except RequestException as exc:
                    if exc.status_code == 404:  # no index yet: no records
                        return None
                    raise

            page = self._call(browse, f"browse of {index}")
            if page is None:
                return hashes
            for hit in page.hits:
                # The record's own attributes are the hit's extras (`to_dict` would drop None values).
                record = {"objectID": hit.object_id, **(hit.model_extra or {})}
                hashes[hit.object_id] = content_hash(record)
            cursor = page.cursor
            if not cursor:
                return hashes

    def reindex(
        self,
        collection: str,
        docs: Iterable[tuple[str, Document]],
        *,
        progress: Callable[[int], None] | None = None,
    ) -> int:
        """Rebuild the index from `docs` in a temporary index, then move it onto the live one."""
        live = self.index_name(collection)
        self.ensure_settings(collection)
        self.wait()
        tmp = self.client.create_temporary_name(live)
        try:
            copy = self._call(
                lambda: self.client.operation_index(
                    index_name=live,
                    operation_index_params={
                        "operation": "copy",
                        "destination": tmp,
                        "scope": ["settings", "synonyms", "rules"],
                    },
                ),
                f"copy of {live} settings to {tmp}",
            )
            self._pending.append((live, copy.task_id))
            self.wait()
            pushed = 0
            chunk: list[tuple[str, Document]] = []
            for item in docs:
                chunk.append(item)
                if len(chunk) >= self.max_batch_objects:
                    pushed += self._push_tmp(tmp, chunk, progress)
                    chunk = []
            if chunk:
                pushed += self._push_tmp(tmp, chunk, progress)
            self.wait()
            move = self._call(
                lambda: self.client.operation_index(
                    index_name=tmp, operation_index_params={"operation": "move", "destination": live}
                ),
                f"move of {tmp} onto {live}",
            )
            self._pending.append((tmp, move.task_id))
            self.wait()
        except Exception:
            logger.warning("reindex of %s failed; deleting %s, the live index is untouched", live, tmp)
            try:
                self.client.delete_index(index_name=tmp)
            except Exception:  # the original error matters more
                logger.exception("could not delete %s", tmp)
            raise
        return pushed

    def _push_tmp(
        self, tmp: str, chunk: list[tuple[str, Document]], progress: Callable[[int], None] | None
    ) -> int:
        self._batch(
            tmp, [{"action": "addObject", "body": {**doc, "objectID": doc_id}} for doc_id, doc in chunk]
        ).raise_unless_complete(f"push to {tmp}")
        if progress is not None:
            progress(len(chunk))
        return len(chunk)

    def close(self) -> None:
        self.client.close()
