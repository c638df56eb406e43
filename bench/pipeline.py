"""End-to-end benchmark: the whole pipeline on generated venue sites, against Scrapy + extruct, same run.

    .venv/bin/python bench/pipeline.py                      # 1,000 venues (about 2,050 pages)
    .venv/bin/python bench/pipeline.py --venues 100         # a quicker look
    .venv/bin/python bench/pipeline.py --large              # 10,000 venues
    .venv/bin/python bench/pipeline.py --sizes 1000,10000   # both, and how time per page grows
    .venv/bin/python bench/pipeline.py --postgres           # PostgreSQL + Redis, two qclusters

1. **The web** (`bench/pipeline_site.py`, deterministic per `--seed`): N venue sites, each on its own
   host name `v00042.venues.test` with a calendar (9-10 schema.org MusicEvents, JSON-LD or microdata),
   an about page (a MusicVenue) and robots.txt; touring artists shared across venues; one venue in
   twenty also listed on a listings site (a second source). One server process answers every host on
   one 127.0.0.1 port by the Host header. Names reach it without DNS: `SCRAPE_HOST_OVERRIDES=
   *.venues.test=127.0.0.1` for us, a Twisted resolver for Scrapy.
2. **Ours**, run as production runs it: a fresh data directory and database (SQLite by default, or a
   fresh PostgreSQL database with `--postgres`), `migrate`, `import_sources` (one source per site),
   `setup_schedules`, then `qcluster` processes (`Q_WORKERS` = `--workers`; one cluster on the ORM
   broker, two on Redis with `--postgres`) and nothing else: the django-q2 tick queues the due URLs,
   every stage enqueues the next, sync pushes to the local stand-ins. Done when every URL has a final
   scrape, no scrape, extraction or entity source is pending or running, and no sync record is dirty
   or failed (checked every second). Politeness is the production default unless `--host-delay` says
   otherwise: one request at a time per host, `SCRAPE_DEFAULT_HOST_DELAY_SECONDS` between two.
   Images are off (`IMAGE_FETCH_ENABLED=0`; a side branch nothing waits for).
3. **The anchor** (`bench/pipeline_scrapy.py`): a Scrapy spider over the same URLs, robots.txt obeyed,
   one request at a time per host with the same delay (Scrapy's default 16 in all), extruct on every
   page, every event into one SQLite table. Separate process, after ours, same server.
4. **Measured.** Wall time from starting the cluster to done (so it includes q2's start and the wait
   for the first tick, as in production); pages/s (fetched pages) and performances/s (canonical
   performances); CPU per page for each stage, two ways: *task CPU* (each worker adds up
   `time.process_time()` around every task it runs, by task function: `qcluster` is started through
   a wrapper that connects django-q2's pre/post-execute signals, then runs the real command;
   `--plain-cluster` starts `manage.py qcluster` itself, without it) and *row time* (the stage rows'
   `finished_at - started_at`, wall time inside a task, waits included); the CPU of the whole cluster
   process tree (the getrusage of its reaped processes: workers, pusher, monitor, sentinel), and q2's
   own share (the tree minus the tasks); peak memory of the tree (sum of RSS, sampled every second;
   forked workers share pages, so also the sum of PSS). `--profile` samples the cluster with py-spy
   (if installed) and prints the top functions and the CPU per stage seen by the sampler.
5. **Output**: a table per size and `RESULT {json}` last: `pages_s`, `performances_s`,
   `anchor_pages_s`, `ratio` (ours / anchor), `cpu_ms_per_page` per stage, `peak_mb`, and `growth`
   (time per page at the largest size / at the smallest) when several sizes ran. A run stopped by
   `--max-seconds` reports what it finished by then, labelled PARTIAL (`"complete": false`).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
# Run as a script, the script's folder comes first on sys.path, and bench/sync.py would hide the
# project's `sync` package from the cluster this process becomes with --cluster-child.
sys.path[:] = [str(ROOT)] + [p for p in sys.path if Path(p or ".").resolve() not in (ROOT, ROOT / "bench")]

from bench.pipeline_site import DOMAIN, Web  # noqa: E402

USER_AGENT = "MyStageBot/0.1 (+benchmark)"
OVERRIDE = f"*.{DOMAIN}=127.0.0.1"
STAGES = ["fetch", "extract", "resolve", "sync", "schedule", "duplicates"]
STAGE_OF_TASK = {
    "sourcing.tasks.scrape_fetch_task": "fetch",
    "extraction.tasks.extraction_run_task": "extract",
    "entities.tasks.entity_sources_resolve_task": "resolve",
    "entities.tasks.entity_source_resolve_task": "resolve",
    "sync.tasks.sync_push_all_task": "sync",
    "sync.tasks.sync_push_task": "sync",
    "mystage.pipeline.tasks.pipeline_tick_task": "schedule",
    "sourcing.tasks.scrapes_request_due_task": "schedule",
    "mystage.pipeline.tasks.pipeline_sweep_task": "schedule",
    "entities.tasks.venue_duplicates_find_task": "duplicates",
}
# The stage rows and their tables; images are off.
ROW_TABLES = {"fetch": "scrapes", "extract": "extractions", "resolve": "entity_sources"}
OPEN = "('pending', 'running')"


# --- the cluster's side: per-task CPU, written by each worker ----------------------------------


def run_cluster_with_accounting(log_dir: str) -> None:
    """`manage.py qcluster`, with every worker appending "func<TAB>cpu_s<TAB>wall_s" per task to
    log_dir/<pid>.tsv (django-q2 forks its workers, so receivers connected here run in each)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mystage.settings")
    import django

    django.setup()
    from django.core.management import execute_from_command_line
    from django_q.signals import post_execute_in_worker, pre_execute

    started: dict[str, float] = {}
    files: dict[int, int] = {}

    def before(sender: Any, func: Any, task: dict[str, Any], **kwargs: Any) -> None:
        started["cpu"], started["wall"] = time.process_time(), time.perf_counter()

    def after(sender: Any, func: Any, task: dict[str, Any], **kwargs: Any) -> None:
        cpu, wall = time.process_time() - started["cpu"], time.perf_counter() - started["wall"]
        pid = os.getpid()
        if pid not in files:
            files[pid] = os.open(f"{log_dir}/{pid}.tsv", os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        name = task["func"] if isinstance(task["func"], str) else getattr(task["func"], "__qualname__", "?")
        os.write(files[pid], f"{name}\t{cpu:.6f}\t{wall:.6f}\n".encode())

    pre_execute.connect(before, weak=False)
    post_execute_in_worker.connect(after, weak=False)
    execute_from_command_line([str(ROOT / "manage.py"), "qcluster"])


def read_task_cpu(log_dir: Path) -> dict[str, dict[str, float]]:
    by_func: dict[str, dict[str, float]] = defaultdict(lambda: {"tasks": 0, "cpu_s": 0.0, "wall_s": 0.0})
    for path in log_dir.glob("*.tsv"):
        for line in path.read_text().splitlines():
            func, cpu, wall = line.split("\t")
            entry = by_func[func]
            entry["tasks"] += 1
            entry["cpu_s"] += float(cpu)
            entry["wall_s"] += float(wall)
    return dict(by_func)


# --- processes: memory of a tree, CPU of children ----------------------------------------------


def _children_map() -> dict[int, list[int]]:
    children: dict[int, list[int]] = defaultdict(list)
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as handle:
                stat = handle.read()
        except OSError:
            continue
        ppid = int(stat[stat.rfind(b")") + 2 :].split()[1])
        children[ppid].append(int(entry))
    return children


def tree_pids(roots: list[int]) -> list[int]:
    children = _children_map()
    pids, stack = [], list(roots)
    while stack:
        pid = stack.pop()
        pids.append(pid)
        stack.extend(children.get(pid, []))
    return pids


def memory_kb(pids: list[int]) -> tuple[int, int]:
    """Sum of RSS and sum of PSS (kB) over the processes."""
    rss = pss = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/smaps_rollup") as handle:
                for line in handle:
                    if line.startswith("Rss:"):
                        rss += int(line.split()[1])
                    elif line.startswith("Pss:"):
                        pss += int(line.split()[1])
        except OSError:
            continue
    return rss, pss


def process_cpu_s(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/stat", "rb") as handle:
            fields = handle.read().rsplit(b")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def children_cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def load() -> str:
    return "/".join(f"{x:.1f}" for x in os.getloadavg())


# --- databases ---------------------------------------------------------------------------------


class Database:
    """A database of the run's own, read with plain SQL (this process has no Django)."""

    def __init__(self, workdir: Path, postgres_server: str | None, name: str) -> None:
        self.postgres = postgres_server is not None
        self.server = postgres_server
        if postgres_server is not None:
            import psycopg

            self.name = name
            with psycopg.connect(postgres_server, autocommit=True) as conn:
                conn.execute(f'drop database if exists "{name}"')
                conn.execute(f'create database "{name}"')
            self.url = postgres_server.rsplit("/", 1)[0] + "/" + name
            self._conn: Any = psycopg.connect(self.url, autocommit=True)
        else:
            self.path = workdir / "mystage.sqlite3"
            self.url = f"sqlite:///{self.path}"
            self._conn = None

    def rows(self, sql: str) -> list[tuple[Any, ...]]:
        if self.postgres:
            return [tuple(row) for row in self._conn.execute(sql).fetchall()]
        if self._conn is None:
            self._conn = sqlite3.connect(self.path, timeout=30, isolation_level=None)  # reads only
        return self._conn.execute(sql).fetchall()

    def scalar(self, sql: str) -> Any:
        return self.rows(sql)[0][0]

    def seconds(self, later: str, earlier: str) -> str:
        if self.postgres:
            return f"extract(epoch from ({later} - {earlier}))"
        return f"((julianday({later}) - julianday({earlier})) * 86400.0)"

    def drop(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None
        if self.postgres and self.server:
            import psycopg

            with psycopg.connect(self.server, autocommit=True) as conn:
                conn.execute(f'drop database if exists "{self.name}" with (force)')


def _epoch(value: Any) -> float | None:
    if value is None:
        return None
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return float(value.timestamp())


def counts(db: Database) -> dict[str, Any]:
    def by_status(table: str) -> dict[str, int]:
        return dict(db.rows(f"select status, count(*) from {table} group by status"))

    return {
        "urls": db.scalar("select count(*) from urls"),
        "urls_done": db.scalar(
            "select count(*) from urls u where exists (select 1 from scrapes s where s.url_id = u.id "
            "and s.status in ('done', 'failed'))"
        ),
        "scrapes": by_status("scrapes"),
        "extractions": by_status("extractions"),
        "entity_sources": by_status("entity_sources"),
        "sync": by_status("sync_records"),
        "venues": db.scalar("select count(*) from evt_venues where status <> 'merged'"),
        "artists": db.scalar("select count(*) from evt_artists where status <> 'merged'"),
        "performances": db.scalar("select count(*) from evt_performances where status <> 'merged'"),
    }


def is_done(c: dict[str, Any]) -> bool:
    open_rows = sum(
        c[name].get("pending", 0) + c[name].get("running", 0)
        for name in ("scrapes", "extractions", "entity_sources")
    )
    return (
        c["urls"] > 0
        and c["urls_done"] == c["urls"]
        and open_rows == 0
        and sum(c["sync"].values()) > 0
        and c["sync"].get("dirty", 0) == 0
        and c["sync"].get("failed", 0) == 0
    )


# --- services for --postgres -------------------------------------------------------------------


@dataclass
class Services:
    postgres_url: str
    redis_url: str
    started_dir: str | None = None  # set when we started them, so we stop them

    @classmethod
    def get(cls) -> Services:
        pg, redis = os.environ.get("TEST_POSTGRES_URL"), os.environ.get("TEST_REDIS_URL")
        if pg and redis:
            return cls(pg, redis)
        services_dir = tempfile.mkdtemp(prefix="pipebench-services-")
        env = os.environ | {"MYSTAGE_SERVICES_DIR": services_dir}
        print(f"starting PostgreSQL and Redis (scripts/services.sh, {services_dir})", flush=True)
        subprocess.run(["bash", str(ROOT / "scripts" / "services.sh"), "start"], env=env, check=True,
                       stdout=subprocess.DEVNULL)  # fmt: skip
        values = {}
        for line in (Path(services_dir) / "env").read_text().splitlines():
            key, _, value = line.removeprefix("export ").partition("=")
            values[key] = value
        return cls(values["TEST_POSTGRES_URL"], values["TEST_REDIS_URL"], services_dir)

    def stop(self) -> None:
        if self.started_dir:
            env = os.environ | {"MYSTAGE_SERVICES_DIR": self.started_dir}
            subprocess.run(["bash", str(ROOT / "scripts" / "services.sh"), "stop"], env=env, check=False,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip


# --- one size ------------------------------------------------------------------------------------


@dataclass
class Options:
    seed: int
    workers: int
    host_delay: float
    max_seconds: float
    anchor_concurrency: int
    skip_anchor: bool
    profile: bool
    plain_cluster: bool
    keep: bool
    services: Services | None
    workdir: Path


@dataclass
class Run:
    venues: int
    expected: dict[str, int]
    ours: dict[str, Any] = field(default_factory=dict)
    anchor: dict[str, Any] = field(default_factory=dict)
    server: dict[str, Any] = field(default_factory=dict)


def server_stats(port: int) -> dict[str, int]:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/__bench/stats", timeout=10) as response:
        stats: dict[str, int] = json.loads(response.read())
    return stats


def run_size(venues: int, opts: Options) -> Run:
    workdir = opts.workdir / f"v{venues}"
    workdir.mkdir(parents=True, exist_ok=True)
    server = subprocess.Popen(
        [sys.executable, str(ROOT / "bench" / "pipeline_site.py"), "serve", "--venues", str(venues),
         "--seed", str(opts.seed)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert server.stdout is not None
        port = int(server.stdout.readline().split()[1])
        web = Web(venues, opts.seed, port=port)
        run = Run(venues, web.expected())
        spec = web.sources()
        (workdir / "sources.json").write_text(json.dumps(spec))
        (workdir / "urls.txt").write_text("\n".join(web.urls()) + "\n")
        e = run.expected
        print(
            f"\n== {venues:,} venues: {e['pages']:,} pages on {e['hosts']:,} hosts, {e['shows']:,} shows "
            f"({e['event_records']:,} event records), {e['artists_billed']:,} artists billed; "
            f"served on 127.0.0.1:{port} (load {load()})",
            flush=True,
        )
        before = server_stats(port)
        run.ours = run_ours(venues, workdir, opts, run.expected)
        after_ours = server_stats(port)
        run.ours["server_requests"] = {k: after_ours[k] - before[k] for k in before}
        if not opts.skip_anchor:
            run.anchor = run_anchor(workdir, opts)
            after_anchor = server_stats(port)
            run.anchor["server_requests"] = {k: after_anchor[k] - after_ours[k] for k in after_ours}
        run.server = {"cpu_s": round(process_cpu_s(server.pid), 1)}
    finally:
        if server.stdin:
            server.stdin.close()
        server.wait(timeout=30)
    return run


def _env(opts: Options, workdir: Path, db: Database, cluster_name: str) -> dict[str, str]:
    keep = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "MYSTAGE_DATA_DIR"}}
    env = keep | {
        "DJANGO_SETTINGS_MODULE": "mystage.settings",
        "PYTHONPATH": str(ROOT),
        "MYSTAGE_DATA_DIR": str(workdir / "data"),
        "DATABASE_URL": db.url,
        "SECRET_KEY": "pipeline-benchmark-secret",
        "SCRAPE_ALLOWED_PRIVATE_HOSTS": "127.0.0.1",
        "SCRAPE_HOST_OVERRIDES": OVERRIDE,
        "SCRAPE_USER_AGENT": USER_AGENT,
        "IMAGE_FETCH_ENABLED": "0",
        "Q_WORKERS": str(opts.workers),
        "Q_CLUSTER_NAME": cluster_name,
        "Q_LOG_LEVEL": "ERROR",
        "LOG_LEVEL": "ERROR",
    }
    if opts.host_delay >= 0:
        env["SCRAPE_DEFAULT_HOST_DELAY_SECONDS"] = str(opts.host_delay)
    if opts.services is not None:
        env["REDIS_URL"] = opts.services.redis_url
    return env


def _manage(env: dict[str, str], *args: str) -> None:
    subprocess.run([sys.executable, str(ROOT / "manage.py"), *args], env=env, cwd=ROOT, check=True,
                   stdout=subprocess.DEVNULL)  # fmt: skip


def _redis_queue(opts: Options, cluster_name: str) -> int | None:
    if opts.services is None:
        return None
    import redis

    client = redis.Redis.from_url(opts.services.redis_url)
    return int(client.llen(f"django_q:{cluster_name}:q"))


def run_ours(venues: int, workdir: Path, opts: Options, expected: dict[str, int]) -> dict[str, Any]:
    ours_dir = workdir / "ours"
    if ours_dir.exists():
        shutil.rmtree(ours_dir)
    ours_dir.mkdir()
    cpu_dir = ours_dir / "task-cpu"
    cpu_dir.mkdir()
    server_url = opts.services.postgres_url if opts.services else None
    db = Database(ours_dir, server_url, f"pipebench_{venues}_{os.getpid()}")
    cluster_name = f"pipebench-{venues}-{os.getpid()}"
    env = _env(opts, ours_dir, db, cluster_name)
    setup_started = time.perf_counter()
    _manage(env, "migrate", "--no-input")
    _manage(env, "import_sources", str(workdir / "sources.json"))
    _manage(env, "setup_schedules")
    setup_s = time.perf_counter() - setup_started
    clusters_n = 2 if opts.services else 1
    print(
        f"ours: {'PostgreSQL + Redis' if opts.services else 'SQLite + ORM broker'}, {clusters_n} qcluster(s) x "
        f"{opts.workers} workers, host delay {opts.host_delay if opts.host_delay >= 0 else 'default'} s; "
        f"set up in {setup_s:.1f} s (migrate, import, schedules)",
        flush=True,
    )
    if opts.plain_cluster:
        command = [sys.executable, str(ROOT / "manage.py"), "qcluster"]
    else:
        command = [sys.executable, str(Path(__file__).resolve()), "--cluster-child", str(cpu_dir)]
    log = (ours_dir / "qcluster.log").open("ab")
    cpu_before = children_cpu_s()
    t0_epoch, t0 = time.time(), time.perf_counter()
    clusters = [
        subprocess.Popen(
            command, env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        for _ in range(clusters_n)
    ]
    spy = _start_profiler(clusters, ours_dir) if opts.profile else None
    peak_rss = peak_pss = 0
    complete = False
    last_print = 0.0
    c: dict[str, Any] = {}
    done_polls = 0
    try:
        while True:
            elapsed = time.perf_counter() - t0
            pids = tree_pids([p.pid for p in clusters])
            rss, pss = memory_kb(pids)
            peak_rss, peak_pss = max(peak_rss, rss), max(peak_pss, pss)
            for cluster in clusters:
                if cluster.poll() is not None:
                    raise SystemExit(f"a qcluster exited with code {cluster.returncode}; see {log.name}")
            c = counts(db)
            done_polls = done_polls + 1 if is_done(c) else 0
            if done_polls >= 2:  # the same answer twice, a second apart
                complete = True
                break
            if elapsed - last_print >= 15:
                last_print = elapsed
                queue = _redis_queue(opts, cluster_name)
                if queue is None:
                    queue = db.scalar("select count(*) from django_q_ormq")
                print(
                    f"  {elapsed:5.0f} s  urls scraped {c['urls_done']}/{c['urls']}  scrapes {_fmt(c['scrapes'])} | "
                    f"extractions {_fmt(c['extractions'])} | sources {_fmt(c['entity_sources'])} | "
                    f"sync {_fmt(c['sync'])} | queue {queue} | {rss / 1024:.0f} MB",
                    flush=True,
                )
            if elapsed > opts.max_seconds:
                break
            time.sleep(1.0)
    finally:
        wall = time.perf_counter() - t0
        for cluster in clusters:
            if cluster.poll() is None:
                cluster.send_signal(signal.SIGTERM)
        for cluster in clusters:
            try:
                cluster.wait(timeout=90)
            except subprocess.TimeoutExpired:
                os.killpg(cluster.pid, signal.SIGKILL)
                cluster.wait()
        if spy is not None:
            spy.wait(timeout=60)
        log.close()
    tree_cpu = children_cpu_s() - cpu_before
    if not c:
        c = counts(db)
    result = _summarise_ours(db, c, wall, t0_epoch, tree_cpu, cpu_dir, opts, expected)
    result.update(
        complete=complete,
        setup_s=round(setup_s, 1),
        peak_mb=round(peak_rss / 1024),
        peak_pss_mb=round(peak_pss / 1024),
        clusters=clusters_n,
        backend="postgres+redis" if opts.services else "sqlite+orm",
    )
    if spy is not None:
        result["profile"] = _read_profile(ours_dir / "profile.txt")
    if not opts.keep:
        db.drop()
    return result


def _summarise_ours(
    db: Database,
    c: dict[str, Any],
    wall: float,
    t0_epoch: float,
    tree_cpu: float,
    cpu_dir: Path,
    opts: Options,
    expected: dict[str, int],
) -> dict[str, Any]:
    pages = c["scrapes"].get("done", 0)
    tasks = read_task_cpu(cpu_dir) if not opts.plain_cluster else {}
    task_cpu: dict[str, float] = defaultdict(float)
    task_count: dict[str, int] = defaultdict(int)
    for func, entry in tasks.items():
        stage = STAGE_OF_TASK.get(func, "other")
        task_cpu[stage] += entry["cpu_s"]
        task_count[stage] += int(entry["tasks"])
    row_time = {
        stage: float(db.scalar(f"select coalesce(sum({db.seconds('finished_at', 'started_at')}), 0) from {table} "
                               "where finished_at is not null and started_at is not null"))
        for stage, table in ROW_TABLES.items()
    }  # fmt: skip

    def since_start(sql: str) -> float | None:
        moment = _epoch(db.scalar(sql))
        return None if moment is None else round(moment - t0_epoch, 1)

    timeline = {
        "first_fetch_s": since_start("select min(started_at) from scrapes"),
        "last_fetch_s": since_start("select max(finished_at) from scrapes"),
        "last_extraction_s": since_start("select max(finished_at) from extractions"),
        "last_resolution_s": since_start("select max(finished_at) from entity_sources"),
        "last_sync_s": since_start("select max(synced_at) from sync_records"),
    }
    per_page = max(pages, 1)
    tasks_total = sum(task_cpu.values())
    cpu_ms = {stage: round(task_cpu.get(stage, 0.0) * 1000 / per_page, 2) for stage in [*STAGES, "other"]}
    if tasks:
        cpu_ms["q2_overhead"] = round((tree_cpu - tasks_total) * 1000 / per_page, 2)
    cpu_ms["cluster_total"] = round(tree_cpu * 1000 / per_page, 2)
    retries = db.scalar("select coalesce(sum(attempts - 1), 0) from entity_sources where attempts > 1")
    return {
        "wall_s": round(wall, 1),
        "pages": pages,
        "performances": c["performances"],
        "venues": c["venues"],
        "artists": c["artists"],
        "counts": c,
        "pages_s": round(pages / wall, 2),
        "performances_s": round(c["performances"] / wall, 2),
        "cpu_ms_per_page": cpu_ms,
        "tasks": dict(task_count),
        "row_ms_per_page": {
            stage: round(seconds * 1000 / per_page, 1) for stage, seconds in row_time.items()
        },
        "timeline": timeline,
        "resolve_retries": int(retries),
        "expected_performances": expected["shows"],
        "expected_pages": expected["pages"],
    }


def _fmt(by_status: dict[str, int]) -> str:
    return ", ".join(f"{n} {status}" for status, n in sorted(by_status.items())) or "-"


# --- py-spy ------------------------------------------------------------------------------------


def _start_profiler(clusters: list[subprocess.Popen[bytes]], out_dir: Path) -> subprocess.Popen[bytes] | None:
    spy = shutil.which("py-spy", path=str(Path(sys.executable).parent)) or shutil.which("py-spy")
    if spy is None:
        print(
            "  --profile: py-spy is not installed (.tools/bin/uv pip install --python .venv/bin/python py-spy)"
        )
        return None
    time.sleep(2)  # let the cluster fork its workers first; py-spy follows new ones too
    return subprocess.Popen(
        [spy, "record", "--pid", str(clusters[0].pid), "--subprocesses", "--rate", "50", "--format", "raw",
         "--full-filenames", "--nonblocking", "--output", str(out_dir / "profile.txt")],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip


TASK_FUNCS = {name.rsplit(".", 1)[1]: stage for name, stage in STAGE_OF_TASK.items()}
PROJECT_PACKAGES = ("mystage/", "sourcing/", "extraction/", "entities/", "sync/")
# django-q2's own processes, by the function each runs (what is not a task).
Q2_ROLES = {
    "monitor": "q2 monitor (saving results)",
    "pusher": "q2 pusher (polling the broker)",
    "Sentinel.guard": "q2 sentinel",
    "worker": "q2 worker loop (between tasks)",
}


def _read_profile(path: Path, top: int = 10) -> dict[str, Any]:
    """py-spy's samples (on-CPU only: idle threads are not sampled) by stage, by the task function
    in the stack or else the django-q2 process it is in; the functions with most samples on their
    own (self), and the project's functions including what they call."""
    if not path.exists():
        return {}
    per_stage: dict[str, int] = defaultdict(int)
    self_samples: dict[str, int] = defaultdict(int)
    stage_self: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    stage_project: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    inclusive: dict[str, int] = defaultdict(int)
    total = 0
    for line in path.read_text().splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not count_text.isdigit():
            continue
        count = int(count_text)
        frames = [f for f in stack.split(";") if not f.startswith("process ")]
        names = [f.split(" (", 1)[0] for f in frames]
        total += count
        stage = next((TASK_FUNCS[n] for n in names if n in TASK_FUNCS), None)
        if stage is None:
            stage = "start-up and other"
            for name in names:
                stage = Q2_ROLES.get(name, stage)
        per_stage[stage] += count
        if frames:
            self_samples[_short(frames[-1])] += count
            stage_self[stage][_short(frames[-1])] += count
        project = {_short(f) for f in frames if _is_project(f)}
        for name in project:
            inclusive[name] += count
        if stage in STAGES:  # what under the task costs most, the task and its service left out
            first = next(i for i, n in enumerate(names) if n in TASK_FUNCS)
            for name in {_short(f) for f in frames[first + 2 :] if _is_project(f)}:
                stage_project[stage][name] += count

    def ranked(table: dict[str, int], n: int = top) -> list[tuple[str, float]]:
        ordered = sorted(table.items(), key=lambda item: -item[1])[:n]
        return [(name, round(100 * k / max(total, 1), 1)) for name, k in ordered]

    return {
        "samples": total,
        "stage_share": dict(ranked(per_stage, len(per_stage))),
        "top_self": ranked(self_samples),
        "top_inclusive_project": ranked(inclusive),
        "stage_top_self": {
            stage: ranked(stage_self[stage], 3) for stage in ("fetch", "extract", "resolve", "sync")
        },
        "stage_top_project": {
            stage: ranked(stage_project[stage], 5) for stage in ("fetch", "extract", "resolve", "sync")
        },
    }


def _is_project(frame: str) -> bool:
    where = frame.partition(" (")[2]
    where = where.split(str(ROOT) + "/", 1)[-1]  # full file names (--full-filenames) or py-spy's short ones
    return where.startswith(PROJECT_PACKAGES)


def _short(frame: str) -> str:
    """ "func (path/to/file.py:123)" -> "func (file path from the package or library)"."""
    name, _, where = frame.partition(" (")
    where = where.rstrip(")").rsplit(":", 1)[0]
    for marker in ("site-packages/", "python3.12/", str(ROOT) + "/"):
        if marker in where:
            where = where.split(marker, 1)[1]
    return f"{name} ({where})"


# --- the anchor --------------------------------------------------------------------------------


def run_anchor(workdir: Path, opts: Options) -> dict[str, Any]:
    db_path = workdir / "anchor.sqlite3"
    db_path.unlink(missing_ok=True)
    delay = opts.host_delay if opts.host_delay >= 0 else 1.0
    command = [
        sys.executable, str(ROOT / "bench" / "pipeline_scrapy.py"), "--urls", str(workdir / "urls.txt"),
        "--db", str(db_path), "--override", OVERRIDE, "--concurrency", str(opts.anchor_concurrency),
        "--per-host", "1", "--delay", str(delay), "--user-agent", USER_AGENT,
    ]  # fmt: skip
    print(
        f"anchor: Scrapy + extruct -> SQLite, {opts.anchor_concurrency} concurrent requests, 1 per host, "
        f"delay {delay} s, robots.txt obeyed",
        flush=True,
    )
    cpu_before = children_cpu_s()
    started = time.perf_counter()
    child = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peak = 0
    while child.poll() is None:
        peak = max(peak, memory_kb(tree_pids([child.pid]))[0])
        if time.perf_counter() - started > opts.max_seconds:
            child.kill()
        time.sleep(0.5)
    out, err = child.communicate()
    process_s = time.perf_counter() - started
    cpu = children_cpu_s() - cpu_before
    lines = [line for line in out.splitlines() if line.startswith("{")]
    if child.returncode != 0 or not lines:
        sys.stderr.write(out + err[-4000:])
        return {"error": f"the Scrapy anchor failed (exit code {child.returncode})"}
    result: dict[str, Any] = json.loads(lines[-1])
    pages = int(result["pages"])
    result.update(
        pages_s=round(pages / result["seconds"], 2),
        process_s=round(process_s, 1),
        cpu_ms_per_page=round(cpu * 1000 / max(pages, 1), 2),
        peak_mb=round(peak / 1024),
        rows=sqlite3.connect(db_path).execute("select count(*) from events").fetchone()[0],
        seconds=round(result["seconds"], 1),
    )
    return result


# --- report ------------------------------------------------------------------------------------


def report(run: Run) -> None:
    o, a, e = run.ours, run.anchor, run.expected
    label = (
        "" if o.get("complete") else "  ** PARTIAL: stopped by --max-seconds, figures cover what was done **"
    )
    print(f"\n-- {run.venues:,} venues{label}")
    print(
        f"ours    {o['pages']:6,} pages in {o['wall_s']:7.1f} s = {o['pages_s']:7.2f} pages/s, "
        f"{o['performances']:,}/{e['shows']:,} performances = {o['performances_s']:.2f}/s, "
        f"{o['venues']:,} venues, {o['artists']:,} artists; peak {o['peak_mb']} MB RSS ({o['peak_pss_mb']} MB PSS)"
    )
    if a and "error" not in a:
        print(
            f"anchor  {a['pages']:6,} pages in {a['seconds']:7.1f} s = {a['pages_s']:7.2f} pages/s, "
            f"{a['rows']:,}/{e['event_records']:,} event rows; {a['cpu_ms_per_page']} CPU ms/page "
            f"(process, start-up included); peak {a['peak_mb']} MB"
        )
        print(f"ratio   {o['pages_s'] / a['pages_s']:.3f} (ours / anchor, pages/s)")
    elif a:
        print(f"anchor  {a['error']}")
    t = o["timeline"]
    print(
        "timeline (s from cluster start): first fetch {first_fetch_s}, last fetch {last_fetch_s}, last extraction "
        "{last_extraction_s}, last resolution {last_resolution_s}, last sync {last_sync_s}".format(**t)
    )
    print(f"{'stage':<12}{'tasks':>8}{'task CPU ms/page':>18}{'row ms/page':>13}")
    rows = o["row_ms_per_page"]
    for stage, ms in o["cpu_ms_per_page"].items():
        row = rows.get(stage)
        print(
            f"{stage:<12}{o['tasks'].get(stage, ''):>8}{ms:>18.2f}{'' if row is None else f'{row:.1f}':>13}"
        )
    print(
        "task CPU: process_time() around each task in its worker; q2_overhead: the rest of the cluster tree's CPU "
        "(pusher, monitor, sentinel, workers between tasks); row ms: finished_at - started_at of the stage rows "
        "(wall time, politeness waits included)"
    )
    print(
        f"server: {run.server.get('cpu_s')} s CPU in all; requests during ours {o.get('server_requests')}, "
        f"during the anchor {a.get('server_requests') if a else '-'}; resolve retries {o['resolve_retries']}"
    )
    profile = o.get("profile")
    if profile:
        print(f"py-spy ({profile['samples']} samples at 50 Hz), share of samples by stage or process:")
        print("    " + ", ".join(f"{stage} {share}%" for stage, share in profile["stage_share"].items()))
        print("  top functions (self):")
        for name, share in profile["top_self"]:
            print(f"    {share:5.1f}%  {name}")
        print("  top project functions (inclusive):")
        for name, share in profile["top_inclusive_project"]:
            print(f"    {share:5.1f}%  {name}")
        for stage, ranked in profile["stage_top_self"].items():
            print(f"  {stage}, self: " + "; ".join(f"{share}% {name}" for name, share in ranked))
            below = profile["stage_top_project"][stage]
            print(
                f"  {stage}, project code below the task: "
                + "; ".join(f"{share}% {name}" for name, share in below)
            )


def summary(runs: list[Run]) -> dict[str, Any]:
    def figures(run: Run) -> dict[str, Any]:
        o, a = run.ours, run.anchor
        anchor_rate = a.get("pages_s") if a and "error" not in a else None
        return {
            "venues": run.venues,
            "complete": o["complete"],
            "pages": o["pages"],
            "performances": o["performances"],
            "wall_s": o["wall_s"],
            "pages_s": o["pages_s"],
            "performances_s": o["performances_s"],
            "anchor_pages_s": anchor_rate,
            "ratio": round(o["pages_s"] / anchor_rate, 4) if anchor_rate else None,
            "cpu_ms_per_page": o["cpu_ms_per_page"],
            "row_ms_per_page": o["row_ms_per_page"],
            "peak_mb": o["peak_mb"],
            "peak_pss_mb": o["peak_pss_mb"],
            "anchor_peak_mb": a.get("peak_mb") if a else None,
            "backend": o["backend"],
        }

    first = figures(runs[0])
    result = dict(first)
    if len(runs) > 1:
        result["sizes"] = {str(run.venues): figures(run) for run in runs}
        small, large = runs[0].ours, runs[-1].ours
        per_page_small = small["wall_s"] / max(small["pages"], 1)
        per_page_large = large["wall_s"] / max(large["pages"], 1)
        result["growth"] = round(per_page_large / per_page_small, 2)
        result["growth_sizes"] = [runs[0].venues, runs[-1].venues]
        if not (small["complete"] and large["complete"]):
            result["growth_partial"] = True
    return result


def main() -> int:
    parser = argparse.ArgumentParser(
        description="The whole pipeline on generated venue sites, against Scrapy."
    )
    parser.add_argument("--venues", type=int, default=1000)
    parser.add_argument("--large", action="store_true", help="10,000 venues")
    parser.add_argument("--sizes", help="comma-separated venue counts, e.g. 1000,10000 (growth between them)")
    parser.add_argument("--postgres", action="store_true", help="PostgreSQL + Redis, two qclusters")
    parser.add_argument(
        "--max-seconds", type=float, default=1200, help="per pipeline run; then report what was done"
    )
    parser.add_argument("--workers", type=int, default=2, help="Q_WORKERS per cluster")
    parser.add_argument("--host-delay", type=float, default=-1,
                        help="seconds between two requests to one host, both sides (default: ours' production default, 1)")  # fmt: skip
    parser.add_argument("--anchor-concurrency", type=int, default=16)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--skip-anchor", action="store_true")
    parser.add_argument(
        "--profile", action="store_true", help="sample the cluster with py-spy (if installed)"
    )
    parser.add_argument(
        "--plain-cluster", action="store_true", help="manage.py qcluster without per-task CPU"
    )
    parser.add_argument("--workdir", type=Path, help="keep everything here (default: a temporary directory)")
    parser.add_argument("--keep", action="store_true", help="keep the work directory and databases")
    parser.add_argument(
        "--read-profile", type=Path, help="print the analysis of a kept profile.txt, and stop"
    )
    parser.add_argument("--cluster-child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.cluster_child:
        run_cluster_with_accounting(args.cluster_child)
        return 0
    if args.read_profile:
        print(json.dumps(_read_profile(args.read_profile), indent=1))
        return 0

    sizes = [int(s) for s in args.sizes.split(",")] if args.sizes else [10_000 if args.large else args.venues]
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="pipebench-"))
    services = Services.get() if args.postgres else None
    opts = Options(
        seed=args.seed, workers=args.workers, host_delay=args.host_delay, max_seconds=args.max_seconds,
        anchor_concurrency=args.anchor_concurrency, skip_anchor=args.skip_anchor, profile=args.profile,
        plain_cluster=args.plain_cluster, keep=args.keep or args.workdir is not None, services=services,
        workdir=workdir,
    )  # fmt: skip
    began = time.perf_counter()
    print(f"machine: {os.cpu_count()} cores, load average {load()} (1/5/15 min); work directory {workdir}")
    runs = []
    try:
        for venues in sizes:
            run = run_size(venues, opts)
            report(run)
            runs.append(run)
    finally:
        if services is not None:
            services.stop()
        if not opts.keep:
            shutil.rmtree(workdir, ignore_errors=True)
    print(f"\nload average {load()} at the end; whole benchmark {time.perf_counter() - began:.0f} s")
    result = summary(runs)
    if not all(run.ours["complete"] for run in runs):
        print("PARTIAL: at least one run was stopped by --max-seconds before the pipeline was done")
    print("RESULT " + json.dumps(result), flush=True)
    return 0 if all(run.ours["complete"] for run in runs) else 1


if __name__ == "__main__":
    raise SystemExit(main())
