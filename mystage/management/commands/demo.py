"""`manage.py demo`: the whole pipeline on the bundled demo web, on a real qcluster worker."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import CommandError, CommandParser
from tqdm import tqdm

from core.commands import BaseCommand
from demo.webserver import start_server
from mystage.pipeline.services import pipeline_counts, pipeline_open_work, pipeline_sweep, schedule_setup
from sourcing import services as sourcing_services

DEMO_DIR = Path(settings.BASE_DIR) / "demo"


class Command(BaseCommand):
    help = "Serve the bundled demo web on 127.0.0.1, seed its URLs and run the pipeline on a qcluster until idle."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--port", type=int, default=int(os.environ.get("DEMO_WEB_PORT", "8741")))
        parser.add_argument("--timeout", type=float, default=600, help="Give up after this many seconds.")
        parser.add_argument("--workers", type=int, default=2)

    def handle(self, *args: Any, **options: Any) -> None:
        if not 0 <= options["port"] <= 65535:
            raise CommandError(f"--port {options['port']} is not a port (0-65535).")
        if options["timeout"] <= 0 or options["workers"] < 1:
            raise CommandError("--timeout must be more than 0 seconds and --workers at least 1.")
        seed = json.loads((DEMO_DIR / "seed.json").read_text())
        try:
            server = start_server(DEMO_DIR / "web", host="127.0.0.1", port=options["port"])
        except OSError as exc:
            raise CommandError(
                f"Cannot serve the demo web on 127.0.0.1:{options['port']} ({exc}); try --port."
            ) from exc
        self.stdout.write(f"Demo web serving {DEMO_DIR / 'web'} at {server.base_url}")
        cluster = None
        try:
            urls = sourcing_services.sources_import(spec=seed, base_url=server.base_url)
            schedule_setup()
            queued = sourcing_services.scrapes_request_due()
            self.stdout.write(
                f"Seeded {len(urls)} URLs from {len(seed['sources'])} sources; {queued} scrapes queued."
            )
            cluster = self._start_cluster(options["workers"])
            self._wait_until_idle(cluster, "Pipeline", options["timeout"])
            # The batch passes that the periodic tick would run later: duplicates, then a last sync push.
            from django_q.tasks import async_task, result

            task_id = async_task("entities.tasks.venue_duplicates_find_task")
            found = result(task_id, wait=int(options["timeout"] * 1000))
            sync_id = async_task("sync.tasks.sync_push_all_task")
            result(sync_id, wait=int(options["timeout"] * 1000))
            self.stdout.write(f"Duplicate pass: {found}")
        finally:
            if cluster is not None:
                self._stop_cluster(cluster)
            server.stop()
        self._summary()

    def _start_cluster(self, workers: int) -> subprocess.Popen[bytes]:
        env = os.environ | {
            "SCRAPE_ALLOWED_PRIVATE_HOSTS": "127.0.0.1",
            # Every demo site lives on one local host: no point in politeness gaps against ourselves.
            "SCRAPE_DEFAULT_HOST_DELAY_SECONDS": os.environ.get("SCRAPE_DEFAULT_HOST_DELAY_SECONDS", "0"),
            # The saved pages link their images on the real sites: the demo stays on 127.0.0.1.
            "IMAGE_FETCH_ENABLED": os.environ.get("IMAGE_FETCH_ENABLED", "0"),
            "Q_WORKERS": str(workers),
            "Q_LOG_LEVEL": os.environ.get("Q_LOG_LEVEL", "ERROR"),
            "LOG_LEVEL": os.environ.get("LOG_LEVEL", "ERROR"),
        }
        log = open(Path(settings.DATA_DIR) / "qcluster-demo.log", "ab")  # noqa: SIM115 - kept open for the child
        self.stdout.write(f"Starting a qcluster with {workers} workers (log: {log.name})")
        return subprocess.Popen(
            [sys.executable, str(Path(settings.BASE_DIR) / "manage.py"), "qcluster"],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )

    def _wait_until_idle(self, cluster: subprocess.Popen[bytes], label: str, timeout: float) -> None:
        from django_q.brokers import get_broker

        broker = get_broker()
        started = time.monotonic()
        idle_polls = 0
        last_sweep = started
        with tqdm(desc=label, unit="row", dynamic_ncols=True, file=sys.stdout) as bar:
            while True:
                if cluster.poll() is not None:
                    raise CommandError(
                        f"The qcluster exited with code {cluster.returncode}; see data/qcluster-demo.log."
                    )
                counts = pipeline_counts()
                total = sum(sum(counts[k].values()) for k in ("scrapes", "extractions", "entity_sources"))
                total += sum(sum(v.values()) for v in counts["sync"].values())
                open_work = pipeline_open_work()
                bar.total = max(total, 1)
                bar.n = total - open_work
                bar.set_postfix_str(
                    f"scrapes {_fmt(counts['scrapes'])} | extractions {_fmt(counts['extractions'])} | "
                    f"sources {_fmt(counts['entity_sources'])}"
                )
                bar.refresh()
                queued = broker.queue_size() + (broker.lock_size() or 0)
                idle_polls = idle_polls + 1 if open_work == 0 and queued == 0 else 0
                if idle_polls >= 3:
                    return
                if time.monotonic() - last_sweep > 10:
                    # Retries wait for the sweeper; in the demo we do not wait for the 5-minute tick.
                    pipeline_sweep(grace_seconds=10)
                    last_sweep = time.monotonic()
                if time.monotonic() - started > timeout:
                    raise CommandError(f"The pipeline was not idle after {timeout:.0f} s: {counts}")
                time.sleep(0.5)

    def _stop_cluster(self, cluster: subprocess.Popen[bytes]) -> None:
        if cluster.poll() is None:
            cluster.send_signal(signal.SIGTERM)
            try:
                cluster.wait(timeout=30)
            except subprocess.TimeoutExpired:
                cluster.kill()
                cluster.wait()

    def _summary(self) -> None:
        counts = pipeline_counts()
        user_model = get_user_model()
        if not user_model.objects.filter(username="demo").exists():
            user_model.objects.create_superuser("demo", "demo@example.com", "demo")
        synced = sum(v.get("synced", 0) for v in counts["sync"].values())
        w = self.stdout.write
        w("")
        w(self.style.MIGRATE_HEADING("Pipeline summary"))
        for stage in ("scrapes", "extractions", "entity_sources"):
            w(f"  {stage:<15} {_fmt(counts[stage])}")
        w(
            f"  {'canonical':<15} {counts['venues']} venues, {counts['artists']} artists, {counts['performances']} performances"
        )
        w(f"  {'duplicates':<15} {_fmt(counts['duplicates']) or 'none'}")
        for target, by_status in counts["sync"].items():
            w(
                f"  {'sync ' + target:<15} {_fmt(by_status)}  (local stand-in under {settings.SYNC_LOCAL_DIR / target})"
            )
        w("")
        pending_dups = counts["duplicates"].get("pending", 0)
        w(
            self.style.SUCCESS(
                f"DEMO OK: {counts['venues']} venues, {counts['artists']} artists, {counts['performances']} performances, "
                f"{pending_dups} duplicate candidates, {synced} documents synced"
            )
        )
        w("")
        w("Next: make run   (the web app, a worker cluster and the tick together; Ctrl-C stops them all)")
        w("  admin     http://127.0.0.1:8000/admin/   (demo login: demo / demo, local only)")
        w("  API docs  http://127.0.0.1:8000/api/docs")


def _fmt(by_status: dict[str, int]) -> str:
    return ", ".join(f"{n} {status}" for status, n in sorted(by_status.items()))
