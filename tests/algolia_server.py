"""A recording Algolia-compatible HTTP server for tests and the benchmark (stdlib only, 127.0.0.1).

It answers the REST paths the official client (`algoliasearch` v4) sends for what we use:

    POST   /1/indexes/{i}/batch          -> {"taskID", "objectIDs"}
    POST   /1/indexes/*/batch            -> {"taskID": {index: id}, "objectIDs"}
    GET    /1/indexes/{i}/task/{id}      -> {"status": "published"}     (also GET /1/task/{id})
    PUT    /1/indexes/{i}/settings       -> {"taskID", "updatedAt"}     (creates replicas it names)
    GET    /1/indexes/{i}/settings       -> the settings, 404 for an index that does not exist
    POST   /1/indexes/{i}/query          -> hits whose text contains the query, sorted as a replica's
                                            ranking asks (asc(attr) / desc(attr))
    POST   /1/indexes/{i}/browse         -> a page of records and a cursor while more remain
    POST   /1/indexes/{i}/operation      -> copy (with scope: settings only, never `replicas`) or move
                                            (the destination keeps its replicas)
    POST   /1/indexes/*/objects, GET /1/indexes/{i}/{objectID}, GET /1/indexes, POST .../clear,
    DELETE /1/indexes/{i}

Every request is recorded (method, path, query, JSON body) in `server.requests`; records live in memory
per index (`server.indexes[name].records`), so reconcile reads back what was pushed. `fail_next(n,
status)` makes the next n requests fail (503 by default, 429 with Retry-After), `down()`/`up()` fail
every request until told otherwise: outages and rate limits for the retry tests. `refuse(objectID)`
answers 400 to batches writing that record, as Algolia does for a record that is too big.
`hold_batches()` makes batch requests wait until the event it returns is set, and `batch_delay` slows
every batch down: concurrent pushes for the race tests (`batch_waiting` is set once one waits).

    with AlgoliaServer() as server:
        settings.ALGOLIA_HOSTS = [server.url]    # http://127.0.0.1:PORT
"""

from __future__ import annotations

import gzip
import itertools
import json
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit


@dataclass
class Index:
    records: dict[str, dict[str, Any]] = field(default_factory=dict)
    settings: dict[str, Any] = field(default_factory=dict)
    primary: str | None = None  # set on replicas


@dataclass
class Recorded:
    method: str
    path: str
    query: dict[str, list[str]]
    body: Any
    status: int = 200
    size: int = 0  # bytes of the request body as sent

    @property
    def index(self) -> str | None:
        parts = self.path.split("/")
        return unquote(parts[3]) if len(parts) > 3 and parts[1:3] == ["1", "indexes"] else None


class AlgoliaServer:
    def __init__(self, host: str = "127.0.0.1", port: int = 0):
        self.indexes: dict[str, Index] = {}
        self.requests: list[Recorded] = []
        self.lock = threading.RLock()
        self._task_ids = itertools.count(1)
        self._fail: list[tuple[int, int | None]] = []  # (status, retry_after) for the next requests
        self._down_status: int | None = None
        self.refused: set[str] = set()  # objectIDs a batch is refused for (400, as for a record too big)
        self.batch_gate: threading.Event | None = None
        self.batch_waiting = threading.Event()
        self.batch_delay = 0.0
        owner = self

        class Handler(_Handler):
            server_owner = owner

        self.httpd = ThreadingHTTPServer((host, port), Handler)
        self.httpd.daemon_threads = True
        self.thread: threading.Thread | None = None

    # --- lifecycle ---------------------------------------------------------------------------

    @property
    def host(self) -> str:
        return str(self.httpd.server_address[0])

    @property
    def port(self) -> int:
        return int(self.httpd.server_address[1])

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> AlgoliaServer:
        self.thread = threading.Thread(target=self.httpd.serve_forever, name="algolia-server", daemon=True)
        self.thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        if self.thread is not None:
            self.thread.join(timeout=5)

    def __enter__(self) -> AlgoliaServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --- controls and assertions ---------------------------------------------------------------

    def reset(self) -> None:
        with self.lock:
            self.indexes.clear()
            self.requests.clear()
            self._fail.clear()
            self._down_status = None
            self.refused.clear()

    def refuse(self, *object_ids: str) -> None:
        """Answer 400 to any batch that writes one of these records, as Algolia does for a bad record."""
        with self.lock:
            self.refused.update(object_ids)

    def hold_batches(self) -> threading.Event:
        """Batch requests wait (before they are applied or recorded) until the returned event is set."""
        gate = threading.Event()
        self.batch_waiting.clear()
        self.batch_gate = gate
        return gate

    def fail_next(self, count: int = 1, status: int = 503, retry_after: int | None = None) -> None:
        with self.lock:
            self._fail.extend([(status, retry_after)] * count)

    def down(self, status: int = 503) -> None:
        with self.lock:
            self._down_status = status

    def up(self) -> None:
        with self.lock:
            self._down_status = None
            self._fail.clear()

    def calls(self, method: str | None = None, suffix: str | None = None) -> list[Recorded]:
        """Recorded requests that succeeded, filtered by method and path ending."""
        with self.lock:
            return [
                r
                for r in self.requests
                if r.status < 400
                and (method is None or r.method == method)
                and (suffix is None or r.path.endswith(suffix))
            ]

    def batches(self, index: str | None = None) -> list[Recorded]:
        return [r for r in self.calls("POST", "/batch") if index is None or r.index == index]

    def records(self, index: str) -> dict[str, dict[str, Any]]:
        with self.lock:
            return dict(self.indexes[index].records) if index in self.indexes else {}

    # --- the API ------------------------------------------------------------------------------

    def _task(self) -> int:
        return next(self._task_ids)

    @staticmethod
    def _now() -> str:
        return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")

    def _mirror(self, name: str) -> None:
        """Standard replicas follow their primary's records."""
        index = self.indexes.get(name)
        if index is None:
            return
        for replica in index.settings.get("replicas") or []:
            self.indexes.setdefault(replica, Index(primary=name)).records = dict(index.records)

    def _apply(self, name: str, action: str, body: dict[str, Any]) -> str:
        index = self.indexes.setdefault(name, Index())
        object_id = str(body.get("objectID") or f"auto-{self._task()}")
        if action in ("addObject", "updateObject"):
            index.records[object_id] = {**body, "objectID": object_id}
        elif action in ("partialUpdateObject", "partialUpdateObjectNoCreate"):
            if object_id in index.records or action == "partialUpdateObject":
                index.records[object_id] = {**index.records.get(object_id, {}), **body}
        elif action == "deleteObject":
            index.records.pop(object_id, None)
        elif action == "clear":
            index.records.clear()
        elif action == "delete":
            self.indexes.pop(name, None)
        else:
            raise ApiError(400, f"Unknown action {action}")
        return object_id

    def handle(self, method: str, path: str, query: dict[str, list[str]], body: Any) -> tuple[int, Any]:
        parts = [unquote(p) for p in path.strip("/").split("/")]
        if parts[:1] != ["1"]:
            raise ApiError(404, "Path not found")
        rest = parts[1:]
        if rest[:1] == ["task"] and method == "GET":
            return 200, {"status": "published"}
        if rest == ["indexes"] and method == "GET":
            items = [
                {"name": n, "entries": len(i.records), "updatedAt": self._now(), "createdAt": self._now()}
                | {"dataSize": 0, "fileSize": 0, "lastBuildTimeS": 0, "numberOfPendingTasks": 0}
                | {"pendingTask": False}
                for n, i in sorted(self.indexes.items())
            ]
            return 200, {"items": items, "nbPages": 1}
        if rest[:1] != ["indexes"] or len(rest) < 2:
            raise ApiError(404, "Path not found")
        name, tail = rest[1], rest[2:]
        if name == "*":
            return self._multi(method, tail, body)
        index = self.indexes.get(name)
        if tail == ["batch"] and method == "POST":
            for position, request in enumerate(body["requests"]):
                object_id = (request.get("body") or {}).get("objectID")
                if object_id in self.refused and request["action"] != "deleteObject":
                    raise ApiError(400, f"Record at the position {position} objectID={object_id} is too big")
            ids = [self._apply(name, r["action"], r.get("body") or {}) for r in body["requests"]]
            self._mirror(name)
            return 200, {"taskID": self._task(), "objectIDs": ids}
        if len(tail) == 2 and tail[0] == "task" and method == "GET":
            return 200, {"status": "published", "pendingTask": False}
        if tail == ["settings"] and method == "GET":
            if index is None:
                raise ApiError(404, "Index does not exist")
            return 200, dict(index.settings)
        if tail == ["settings"] and method == "PUT":
            index = self.indexes.setdefault(name, Index())
            for key, value in body.items():
                if value is None:
                    index.settings.pop(key, None)
                else:
                    index.settings[key] = value
            for replica in index.settings.get("replicas") or []:
                self.indexes.setdefault(replica, Index()).primary = name
            if query.get("forwardToReplicas", [""])[0].lower() == "true":
                for replica in index.settings.get("replicas") or []:
                    self.indexes[replica].settings.update({k: v for k, v in body.items() if k != "replicas"})
            self._mirror(name)
            return 200, {"taskID": self._task(), "updatedAt": self._now()}
        if tail == ["operation"] and method == "POST":
            return 200, self._operation(name, body)
        if tail == ["query"] and method == "POST":
            return 200, self._query(name, body or {})
        if tail == ["browse"] and method == "POST":
            return 200, self._browse(name, body or {})
        if tail == ["clear"] and method == "POST":
            if index is not None:
                index.records.clear()
                self._mirror(name)
            return 200, {"taskID": self._task(), "updatedAt": self._now()}
        if not tail and method == "DELETE":
            self.indexes.pop(name, None)
            return 200, {"taskID": self._task(), "deletedAt": self._now()}
        if len(tail) == 1 and method == "GET":
            record = (index.records if index else {}).get(tail[0])
            if record is None:
                raise ApiError(404, "ObjectID does not exist")
            return 200, record
        raise ApiError(404, f"No fake for {method} {path}")

    def _multi(self, method: str, tail: list[str], body: Any) -> tuple[int, Any]:
        if tail == ["batch"] and method == "POST":
            task_ids: dict[str, int] = {}
            ids = []
            for request in body["requests"]:
                ids.append(self._apply(request["indexName"], request["action"], request.get("body") or {}))
                task_ids[request["indexName"]] = self._task()
            for name in task_ids:
                self._mirror(name)
            return 200, {"taskID": task_ids, "objectIDs": ids}
        if tail == ["objects"] and method == "POST":
            results = []
            for request in body["requests"]:
                index = self.indexes.get(request["indexName"])
                record = (index.records if index else {}).get(request["objectID"])
                if record is not None and request.get("attributesToRetrieve"):
                    record = _retrieve(record, request["attributesToRetrieve"])
                results.append(record)
            return 200, {"results": results}
        raise ApiError(404, "Path not found")

    def _operation(self, name: str, body: dict[str, Any]) -> dict[str, Any]:
        source = self.indexes.get(name)
        destination = body["destination"]
        if body["operation"] == "copy":
            target = self.indexes.setdefault(destination, Index())
            # Algolia never copies `replicas` (nor `mode`, `enableReRanking`).
            copied = {k: v for k, v in (source.settings if source else {}).items() if k != "replicas"}
            scope = body.get("scope")
            if scope is None or "settings" in scope:
                keep = {k: v for k, v in target.settings.items() if k == "replicas"}
                target.settings = copied | keep
            if scope is None:
                target.records = dict(source.records) if source else {}
            self._mirror(destination)
        elif body["operation"] == "move":
            if source is not None:  # moving a missing index is ignored
                old = self.indexes.get(destination)
                replicas = (old.settings.get("replicas") if old else None) or []
                settings = dict(source.settings)
                if replicas:  # the destination keeps its replicas, which receive the new records
                    settings["replicas"] = replicas
                self.indexes[destination] = Index(records=dict(source.records), settings=settings)
                del self.indexes[name]
                self._mirror(destination)
        else:
            raise ApiError(400, f"Unknown operation {body['operation']}")
        return {"taskID": self._task(), "updatedAt": self._now()}

    def _matching(self, name: str, text: str) -> list[dict[str, Any]]:
        index = self.indexes.get(name)
        if index is None:
            raise ApiError(404, "Index does not exist")
        text = text.lower()
        hits = [r for r in index.records.values() if not text or text in json.dumps(r).lower()]
        for rule in reversed(index.settings.get("ranking") or []):
            if rule.startswith(("asc(", "desc(")):
                attr = rule[rule.index("(") + 1 : -1]

                def key(record: dict[str, Any], attr: str = attr) -> tuple[bool, Any]:
                    return (record.get(attr) is None, record.get(attr))

                hits.sort(key=key, reverse=rule.startswith("desc"))
        return hits

    def _query(self, name: str, body: dict[str, Any]) -> dict[str, Any]:
        params = body
        if isinstance(body.get("params"), str):
            params = {k: v[0] for k, v in parse_qs(body["params"]).items()}
        per_page = int(params.get("hitsPerPage", 20))
        page = int(params.get("page", 0))
        hits = self._matching(name, str(params.get("query", "")))
        return {
            "hits": hits[page * per_page : (page + 1) * per_page],
            "nbHits": len(hits),
            "page": page,
            "nbPages": (len(hits) + per_page - 1) // per_page,
            "hitsPerPage": per_page,
            "processingTimeMS": 1,
            "query": params.get("query", ""),
            "params": "",
            "exhaustiveNbHits": True,
        }

    def _browse(self, name: str, body: dict[str, Any]) -> dict[str, Any]:
        per_page = int(body.get("hitsPerPage", 1000))
        start = int(body.get("cursor") or 0)
        hits = self._matching(name, str(body.get("query", "")))
        page = hits[start : start + per_page]
        if body.get("attributesToRetrieve"):
            page = [_retrieve(r, body["attributesToRetrieve"]) for r in page]
        response: dict[str, Any] = {
            "hits": page,
            "nbHits": len(hits),
            "page": start // per_page if per_page else 0,
            "nbPages": (len(hits) + per_page - 1) // per_page if per_page else 0,
            "hitsPerPage": per_page,
            "processingTimeMS": 1,
            "query": "",
            "params": "",
        }
        if start + per_page < len(hits):
            response["cursor"] = str(start + per_page)
        return response


def _retrieve(record: dict[str, Any], attributes: list[str]) -> dict[str, Any]:
    if "*" in attributes:
        return dict(record)
    return {k: v for k, v in record.items() if k == "objectID" or k in attributes}


class ApiError(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


class _Handler(BaseHTTPRequestHandler):
    server_owner: AlgoliaServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass

    def _serve(self) -> None:
        owner = self.server_owner
        split = urlsplit(self.path)
        length = int(self.headers.get("content-length") or 0)
        raw = self.rfile.read(length) if length else b""
        if self.headers.get("content-encoding") == "gzip":
            raw = gzip.decompress(raw)
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = raw.decode(errors="replace")
        recorded = Recorded(self.command, split.path, parse_qs(split.query), body, size=length)
        if self.command == "POST" and split.path.endswith("/batch"):
            gate = owner.batch_gate
            if gate is not None:
                owner.batch_waiting.set()
                gate.wait(timeout=60)
            if owner.batch_delay:
                time.sleep(owner.batch_delay)
        headers: dict[str, str] = {}
        with owner.lock:
            owner.requests.append(recorded)
            failure = owner._fail.pop(0) if owner._fail else None
            if failure is None and owner._down_status is not None:
                failure = (owner._down_status, None)
            if failure is not None:
                status, retry_after = failure
                payload: Any = {"message": f"fake outage ({status})", "status": status}
                if retry_after is not None:
                    headers["Retry-After"] = str(retry_after)
            else:
                try:
                    status, payload = owner.handle(self.command, split.path, recorded.query, body)
                except ApiError as exc:
                    status, payload = exc.status, {"message": exc.message, "status": exc.status}
                except (KeyError, TypeError, ValueError) as exc:
                    status, payload = 400, {"message": f"bad request: {exc}", "status": 400}
            recorded.status = status
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json; charset=utf-8")
        self.send_header("content-length", str(len(data)))
        for key, value in headers.items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = do_PUT = do_DELETE = _serve


if __name__ == "__main__":  # pragma: no cover - a manual run prints its URL and serves until ^C
    with AlgoliaServer() as running:
        print(f"Algolia-compatible server on {running.url}")  # noqa: T201
        threading.Event().wait()
