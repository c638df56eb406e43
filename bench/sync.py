"""Sync throughput: N synthetic canonical entities pushed to Algolia and Firestore, then pushed again.

    .venv/bin/python bench/sync.py [--entities 3000] [--no-firestore]

(a) Builds the entities (1/5 venues, 1/5 artists, the rest performances with two billed acts each) in
    a temporary SQLite database (migrated for the run, deleted after) and marks them dirty the way the
    pipeline does (`sync_mark_dirty`: serialise, hash, one record per target).
(b) Pushes them (`sync_push`) with the official clients: algoliasearch to the recording Algolia server
    (`tests/algolia_server.py`, in this process) and google-cloud-firestore to the Firestore emulator at
    TEST_FIRESTORE_EMULATOR_HOST, or one started here from the Google Cloud SDK (skipped with a message
    when neither is there). Reports entities/s and the requests each push took.
(c) Marks every entity again and pushes again: nothing changed, so both must write nothing
    (`writes` 0 and no batch request).
(d) Firestore write paths on the same documents, in the same run: the anchor is what sync did before
    (sequential atomic `WriteBatch` commits of 500 in document-ID order); ours is `BulkWriter` as the
    target uses it, at Firestore's cold-start ramp (500 writes/s, FIRESTORE_BULK_INITIAL_OPS) and warm
    (10,000/s). Each writes into collections of its own; reported as documents/s and as a ratio.
(e) Prints, as its last line, RESULT {...}.
Reads nothing outside this repository; talks to 127.0.0.1 only.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script: make the project importable
    sys.path.insert(0, str(ROOT))

from tests.algolia_server import AlgoliaServer  # noqa: E402

EMULATOR_CLASS = "com.google.cloud.datastore.emulator.firestore.CloudFirestore"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _answers(host: str) -> bool:
    try:
        with urllib.request.urlopen(f"http://{host}/", timeout=2) as response:
            return bool(response.read().strip() == b"Ok")
    except OSError:
        return False


def start_emulator() -> tuple[subprocess.Popen[bytes] | None, str, str]:
    """(process, host, reason): a Firestore emulator on 127.0.0.1, or (None, "", why not)."""
    gcloud = shutil.which("gcloud")
    sdk: Path | None = None
    if os.environ.get("CLOUDSDK_ROOT"):
        sdk = Path(os.environ["CLOUDSDK_ROOT"])
    elif gcloud:  # .../google-cloud-sdk/bin/gcloud
        sdk = Path(os.path.realpath(gcloud)).parent.parent
    jar = sdk / "platform" / "cloud-firestore-emulator" / "cloud-firestore-emulator.jar" if sdk else None
    port = _free_port()
    host = f"127.0.0.1:{port}"
    if jar and jar.exists() and shutil.which("java"):
        command = ["java", "-Duser.language=en", "-cp", str(jar), EMULATOR_CLASS]
        command += ["--host", "127.0.0.1", "--port", str(port)]
    elif gcloud:
        command = [gcloud, "emulators", "firestore", "start", "--quiet", f"--host-port={host}"]
    else:
        return None, "", "no Firestore emulator: needs Java and the Google Cloud SDK (or gcloud)"
    process = subprocess.Popen(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if _answers(host):
            return process, host, ""
        if process.poll() is not None:
            break
        time.sleep(0.2)
    stop_emulator(process)
    return None, "", "the Firestore emulator did not start"


def stop_emulator(process: subprocess.Popen[bytes] | None) -> None:
    if process is None or process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)  # its own session: gcloud's java child goes too
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def setup_django(workdir: Path, *, algolia_url: str, firestore_host: str, project: str) -> None:
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "mystage.settings",
            "MYSTAGE_DATA_DIR": str(workdir),
            "DATABASE_URL": f"sqlite:///{workdir / 'bench.sqlite3'}",
            "SYNC_LOCAL_DIR": str(workdir / "sync"),
            "ALGOLIA_APP_ID": "BENCH",
            "ALGOLIA_API_KEY": "bench-key",
            "ALGOLIA_HOSTS": algolia_url,
            "ALGOLIA_INDEX_PREFIX": "bench_",
            "FIRESTORE_PROJECT": project if firestore_host else "",
            "FIRESTORE_EMULATOR_HOST": firestore_host,
            "GOOGLE_APPLICATION_CREDENTIALS": "",
            "LOG_LEVEL": "WARNING",
        }
    )
    os.environ.pop("REDIS_URL", None)
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0, interactive=False)


def build_entities(count: int) -> dict[str, int]:
    from django.db import transaction

    from entities.models import Artist, Performance, PerformanceArtist, Venue

    venues_n = artists_n = max(1, count // 5)
    performances_n = max(0, count - venues_n - artists_n)
    with transaction.atomic():
        venues = Venue.objects.bulk_create(
            Venue(
                name=f"Venue {i}",
                locality=("Seattle", "Portland", "Vancouver")[i % 3],
                country="US" if i % 3 < 2 else "CA",
                street=f"{100 + i} Pine St",
                latitude=47.6 + i / 10_000,
                longitude=-122.3 - i / 10_000,
                timezone="America/Los_Angeles",
                phone=f"+1206{i:07d}",
            )
            for i in range(venues_n)
        )
        artists = Artist.objects.bulk_create(
            Artist(name=f"Artist {i}", genres=[("rock", "jazz", "folk", "indie")[i % 4]], aliases=[f"A{i}"])
            for i in range(artists_n)
        )
        start = dt.date(2026, 1, 1)
        performances = Performance.objects.bulk_create(
            Performance(
                name=f"Show {i}",
                venue=venues[i % len(venues)],
                local_date=start + dt.timedelta(days=i % 365),
                url=f"https://example.org/shows/{i}",
            )
            for i in range(performances_n)
        )
        PerformanceArtist.objects.bulk_create(
            PerformanceArtist(performance=p, artist=artists[(i + k) % len(artists)], order=k)
            for i, p in enumerate(performances)
            for k in range(min(2, len(artists)))
        )
    return {"venue": venues_n, "artist": artists_n, "performance": performances_n}


def mark_all() -> int:
    """Mark every entity as the pipeline does; the number of records that turned dirty."""
    from django.db import transaction

    from sync.services import MODELS, entity_queryset, sync_mark_dirty

    changed = 0
    for entity_type in MODELS:
        with transaction.atomic():
            for entity in entity_queryset(entity_type).iterator(chunk_size=500):
                changed += sync_mark_dirty(entity_type=entity_type, entity=entity)
    return changed


def push(target: str, store: Any, requests: Any) -> dict[str, Any]:
    from sync.services import sync_push

    before = requests()
    started = time.perf_counter()
    totals = sync_push(target=target, store=store)
    seconds = time.perf_counter() - started
    return {
        "writes": totals["written"] + totals["deleted"],
        "failed": totals["failed"],
        "seconds": round(seconds, 3),
        "requests": requests() - before,
    }


def firestore_write_paths(store: Any) -> dict[str, Any]:
    """(d): the anchor and ours writing the same documents into fresh collections."""
    from sync.models import SyncTarget
    from sync.services import MODELS, collection_for, expected_payloads
    from sync.targets.firestore import FirestoreTarget

    docs: list[tuple[str, str, dict[str, Any]]] = []
    for entity_type in MODELS:
        collection = collection_for(SyncTarget.FIRESTORE, entity_type)
        docs += [
            (collection, public_id, wanted.payload)
            for public_id, wanted in expected_payloads(SyncTarget.FIRESTORE, entity_type)
            if wanted.payload is not None
        ]
    client = store.client

    started = time.perf_counter()
    for collection in sorted({c for c, _, _ in docs}):
        mine = sorted((d for d in docs if d[0] == collection), key=lambda d: d[1])
        for i in range(0, len(mine), 500):
            batch = client.batch()
            for _, doc_id, payload in mine[i : i + 500]:
                batch.set(client.collection(f"anchor_{collection}").document(doc_id), payload)
            batch.commit()
    anchor = time.perf_counter() - started
    result: dict[str, Any] = {"documents": len(docs), "anchor_writebatch_docs_s": round(len(docs) / anchor)}
    for label, initial in (("cold", 500), ("warm", 10_000)):
        target = FirestoreTarget(
            project=store.project, client=client, initial_ops_per_second=initial, max_ops_per_second=10_000
        )
        started = time.perf_counter()
        for collection in sorted({c for c, _, _ in docs}):
            to_write = [(doc_id, payload) for c, doc_id, payload in docs if c == collection]
            outcome = target.write(f"{label}_{collection}", to_write, [])
            if outcome.failure is not None or len(outcome.done) != len(to_write):
                raise RuntimeError(f"BulkWriter did not write every document: {outcome.failure}")
        seconds = time.perf_counter() - started
        result[f"bulkwriter_{label}_docs_s"] = round(len(docs) / seconds)
        result[f"ratio_{label}_to_anchor"] = round(anchor / seconds, 2)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--entities", type=int, default=3000)
    parser.add_argument("--no-firestore", action="store_true", help="skip the Firestore part")
    args = parser.parse_args()

    emulator, firestore_host, skip_reason = None, os.environ.get("TEST_FIRESTORE_EMULATOR_HOST", ""), ""
    if args.no_firestore:
        firestore_host, skip_reason = "", "--no-firestore"
    elif not firestore_host:
        print("TEST_FIRESTORE_EMULATOR_HOST is not set: starting a Firestore emulator ...", flush=True)
        emulator, firestore_host, skip_reason = start_emulator()
        if skip_reason:
            print(f"skipping Firestore: {skip_reason}")
    workdir = Path(tempfile.mkdtemp(prefix="mystage-bench-sync-"))
    project = f"bench-{os.getpid()}"
    result: dict[str, Any] = {"entities": args.entities}
    try:
        with AlgoliaServer() as algolia:
            setup_django(workdir, algolia_url=algolia.url, firestore_host=firestore_host, project=project)
            from sync.services import target_for

            started = time.perf_counter()
            counts = build_entities(args.entities)
            total = sum(counts.values())
            print(f"built {counts} in {time.perf_counter() - started:.1f}s")
            started = time.perf_counter()
            dirty = mark_all()
            mark_seconds = time.perf_counter() - started
            print(
                f"marked {dirty} records dirty in {mark_seconds:.1f}s ({total / mark_seconds:.0f} entities/s)"
            )
            result |= {"mark_entities_s": round(total / mark_seconds), "counts": counts}

            targets: dict[str, tuple[Any, Any]] = {
                "algolia": (target_for("algolia"), lambda: len(algolia.batches()))
            }
            if firestore_host:
                fs: Any = target_for("firestore")
                targets["firestore"] = (fs, lambda: fs.commits)
            else:
                result["firestore"] = {"skipped": skip_reason}
            for name, (store, requests) in targets.items():
                first = push(name, store, requests)
                again_dirty = mark_all()
                second = push(name, store, requests)
                per_s = round(total / first["seconds"]) if first["seconds"] else None
                result[name] = {
                    "entities_s": per_s,
                    "seconds": first["seconds"],
                    "writes": first["writes"],
                    "failed": first["failed"],
                    "requests": first["requests"],
                    "second_run": {
                        "dirty": again_dirty,
                        "writes": second["writes"],
                        "requests": second["requests"],
                    },
                }
                print(
                    f"{name}: {first['writes']} writes in {first['seconds']:.2f}s = {per_s} entities/s, "
                    f"{first['requests']} batch requests; second run: {second['writes']} writes, "
                    f"{second['requests']} requests"
                )
                if second["writes"] or second["requests"] or first["failed"]:
                    result["ok"] = False
                if name == "firestore":
                    paths = firestore_write_paths(store)
                    result["firestore"]["write_paths"] = paths
                    print(
                        f"firestore write paths on {paths['documents']} documents: anchor (sequential "
                        f"WriteBatch of 500) {paths['anchor_writebatch_docs_s']}/s; BulkWriter cold "
                        f"{paths['bulkwriter_cold_docs_s']}/s (x{paths['ratio_cold_to_anchor']}), warm "
                        f"{paths['bulkwriter_warm_docs_s']}/s (x{paths['ratio_warm_to_anchor']})"
                    )
                store.close()
            result.setdefault("ok", True)
    finally:
        if firestore_host and not emulator:
            _wipe(firestore_host, project)
        stop_emulator(emulator)
        shutil.rmtree(workdir, ignore_errors=True)
    print("RESULT " + json.dumps(result, sort_keys=True))
    if not result.get("ok"):
        sys.exit(1)


def _wipe(host: str, project: str) -> None:
    request = urllib.request.Request(
        f"http://{host}/emulator/v1/projects/{project}/databases/(default)/documents", method="DELETE"
    )
    try:
        urllib.request.urlopen(request, timeout=10).close()
    except OSError:
        pass


if __name__ == "__main__":
    main()
