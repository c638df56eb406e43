"""A real qcluster killed with SIGKILL mid-task loses no work and duplicates no rows.

The cluster runs in its own processes, so it cannot see pytest-django's test database: these tests
use a database file of their own and read it with sqlite3.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.slow]

SEED = """
from sourcing import services as s
source = s.source_upsert(name="fremont-abbey", kind="venue_site")
s.url_add(source=source, url="{slow}")
royal = s.source_upsert(name="royal-room", kind="venue_site")
s.url_add(source=royal, url="{royal}")
print(s.scrapes_request_due())
"""


def _manage(env, *args, timeout=120):
    return subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def _cluster(env, log: Path):
    return subprocess.Popen(
        [sys.executable, str(ROOT / "manage.py"), "qcluster"],
        env=env,
        cwd=ROOT,
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


class Database:
    """A database of the test's own: a SQLite file, or a fresh PostgreSQL database when the suite
    runs on PostgreSQL (DATABASE_URL), so the cluster is tested on both."""

    def __init__(self, tmp_path: Path):
        server_url = os.environ.get("DATABASE_URL", "")
        self.postgres = server_url.startswith(("postgres://", "postgresql://"))
        if self.postgres:
            import psycopg

            name = f"killtest_{os.getpid()}_{time.monotonic_ns()}"
            with psycopg.connect(server_url, autocommit=True) as conn:
                conn.execute(f'create database "{name}"')
            self.url = server_url.rsplit("/", 1)[0] + "/" + name
        else:
            self.path = tmp_path / "pipeline.sqlite3"
            self.url = f"sqlite:///{self.path}"

    def query(self, sql: str) -> list[tuple]:
        if self.postgres:
            import psycopg

            with psycopg.connect(self.url) as conn:
                return [tuple(row) for row in conn.execute(sql).fetchall()]
        with sqlite3.connect(self.path, timeout=30) as conn:
            return conn.execute(sql).fetchall()


def _wait(predicate, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


OPEN_WORK = """
select (select count(*) from scrapes where status in ('pending','running'))
     + (select count(*) from extractions where status in ('pending','running'))
     + (select count(*) from entity_sources where status in ('pending','running'))
"""


@pytest.mark.parametrize("broker", ["orm", "redis"])
def test_killed_worker_mid_fetch_is_finished_by_the_sweeper(tmp_path, demo_web, broker):
    if broker == "redis" and not os.environ.get("TEST_REDIS_URL"):
        pytest.skip("TEST_REDIS_URL is not set (make test starts Redis)")
    db = Database(tmp_path)
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}} | {
        "DATABASE_URL": db.url,
        "MYSTAGE_DATA_DIR": str(tmp_path),
        "SCRAPE_ALLOWED_PRIVATE_HOSTS": "127.0.0.1",
        "PIPELINE_LEASE_SECONDS": "3",
        "TASK_TIMEOUT_SECONDS": "30",
        "Q_WORKERS": "1",
        "Q_CLUSTER_NAME": f"killtest-{broker}-{os.getpid()}",
        "Q_POLL_SECONDS": "0.1",
        "Q_SYNC": "0",
        "SECRET_KEY": "killtest-secret",
        "SCRAPE_DEFAULT_HOST_DELAY_SECONDS": "0",
        "IMAGE_FETCH_ENABLED": "0",  # the saved pages' images live on the internet
    }
    if broker == "redis":
        env["REDIS_URL"] = os.environ["TEST_REDIS_URL"]
    _manage(env, "migrate", "--no-input")
    slow = demo_web.url("/_test/slow?seconds=4&path=/fremont-abbey/events/index.html")
    _manage(env, "shell", "-c", SEED.format(slow=slow, royal=demo_web.url("/royal-room/events/index.html")))
    log = tmp_path / "qcluster.log"

    # Given a worker in the middle of the slow fetch
    cluster = _cluster(env, log)
    try:
        _wait(
            lambda: db.query("select count(*) from scrapes where status='running' and url_id=1")[0][0] == 1,
            60,
            "the slow scrape to start",
        )
        time.sleep(0.5)
    finally:
        # When the whole cluster is killed without a chance to clean up
        os.killpg(cluster.pid, signal.SIGKILL)
        cluster.wait()
    assert db.query("select status from scrapes where url_id=1") == [("running",)]

    # Then, once the lease has expired, the sweeper re-enqueues it and a new cluster finishes everything
    time.sleep(3.2)
    cluster = _cluster(env, log)
    try:
        _manage(env, "sweep", "--grace", "0")
        _wait(
            lambda: db.query(OPEN_WORK)[0][0] == 0 and db.query("select count(*) from scrapes")[0][0] == 2,
            90,
            "the pipeline to finish",
        )
    finally:
        cluster.send_signal(signal.SIGTERM)
        try:
            cluster.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(cluster.pid, signal.SIGKILL)
            cluster.wait()

    # And nothing was lost or duplicated
    assert db.query("select url_id, status from scrapes order by url_id") == [(1, "done"), (2, "done")]
    assert db.query("select attempts from scrapes where url_id=1") == [(2,)]
    assert db.query("select count(*), count(distinct scrape_id) from extractions") == [(2, 2)]
    assert db.query("select count(*) from entity_sources where status != 'done'") == [(0,)]
    dupes = db.query(
        "select source_id, entity_type, source_key, count(*) from entity_sources group by 1,2,3 having count(*) > 1"
    )
    assert dupes == []
    per_venue = dict(
        db.query(
            "select v.name, count(p.id) from evt_performances p join evt_venues v on v.id = p.venue_id group by v.name"
        )
    )
    assert per_venue["Fremont Abbey Arts Center"] == 5
    assert db.query("select count(*) from evt_performances") == [
        (13,)
    ]  # 12 on the slow page, 1 at the Royal Room
