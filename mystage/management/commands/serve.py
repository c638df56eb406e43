"""`manage.py serve [--port 8000]` (what `make run` runs): the web app, a worker cluster and the tick,
started together and stopped together.

The web server (runserver, static files from WhiteNoise) and a django-q2 cluster run as two child
processes; the cluster's scheduler runs the tick ("mystage-tick", made by setup_schedules). Ctrl-C stops
both: the cluster gets SIGTERM in its main process only, which is how django-q2 stops gracefully
(its workers finish the task in hand; a signal to the whole group would kill them mid-task); a second
Ctrl-C, or a cluster still busy after STOP_GRACE_SECONDS, ends everything at once. If either child
exits on its own, the other is stopped too and the command fails.

Not a production server: there, run a WSGI server and `qcluster` under a process manager (README).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import CommandError, CommandParser

from core.commands import BaseCommand
from mystage.pipeline.services import schedule_setup

STOP_GRACE_SECONDS = 60


class Command(BaseCommand):
    help = "The web app, a worker cluster and the tick, together; Ctrl-C stops them all."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1", help="Address to serve on (default 127.0.0.1).")
        parser.add_argument(
            "--port", type=int, default=int(os.environ.get("WEB_PORT") or 8000), help="Port (default 8000)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        host, port = options["host"], options["port"]
        if not 0 < port < 65536:
            raise CommandError(f"--port {port} is not a port (1-65535).")
        with socket.socket() as probe:
            try:
                probe.bind((host, port))
            except OSError as exc:
                raise CommandError(
                    f"Cannot serve on {host}:{port} ({exc.strerror}); try WEB_PORT=8001 make run."
                ) from exc
        schedule_setup()
        manage = [sys.executable, str(Path(settings.BASE_DIR) / "manage.py")]
        # Each child leads a process group of its own: a terminal's Ctrl-C reaches this process only,
        # and each child is stopped the way it stops best.
        web = subprocess.Popen([*manage, "runserver", "--noreload", f"{host}:{port}"], start_new_session=True)
        worker = subprocess.Popen([*manage, "qcluster"], start_new_session=True)
        children = {"web server": web, "worker cluster": worker}
        self.stdout.write(
            f"Serving http://{host}:{port}/admin/ and http://{host}:{port}/api/docs (web server pid {web.pid}), "
            f"with a worker cluster and the tick (worker cluster pid {worker.pid}). Ctrl-C stops everything."
        )
        self.stdout.flush()

        requests: list[int] = []

        def on_signal(signum: int, frame: Any) -> None:
            requests.append(signum)

        # SIGHUP too: a closed terminal must not leave the children running on their own.
        previous = {
            sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
        }
        try:
            while not requests and all(child.poll() is None for child in children.values()):
                time.sleep(0.2)
            ended = {name: child.returncode for name, child in children.items() if child.poll() is not None}
            self._stop(web, worker, requests)
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        if ended and not requests:
            name, code = next(iter(ended.items()))
            raise CommandError(f"The {name} exited (code {code}); the rest was stopped too.")
        self.stdout.write("Stopped the web server and the worker cluster.")

    def _stop(
        self, web: subprocess.Popen[bytes], worker: subprocess.Popen[bytes], requests: list[int]
    ) -> None:
        _signal_group(web, signal.SIGTERM)
        if worker.poll() is None:
            self.stderr.write(
                "Stopping: the worker cluster finishes the tasks in hand (Ctrl-C again to kill it)."
            )
            worker.send_signal(signal.SIGTERM)  # the cluster's main process only: django-q2's graceful stop
        asked = len(requests)
        deadline = time.monotonic() + STOP_GRACE_SECONDS
        while any(child.poll() is None for child in (web, worker)):
            if len(requests) > asked or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        for child in (web, worker):
            _signal_group(child, signal.SIGKILL)  # whatever is left of either group, workers included
            child.wait()


def _signal_group(child: subprocess.Popen[bytes], sig: int) -> None:
    try:
        os.killpg(child.pid, sig)
    except ProcessLookupError:
        pass
