"""The README, verbatim, on a fresh copy of the repository: `make demo`, then `make run`, which serves
the styled admin and the API docs from the project's own static files (WhiteNoise, DEBUG off) and runs a
worker cluster, so that a scrape queued through the API completes; Ctrl-C stops everything.

The copy holds what a commit would (git's tracked and new files, nothing ignored: no .venv, no data/).
Slow (it builds its own .venv and runs the whole demo); run once, on the README's default (SQLite).
Screenshots: test-artifacts/fresh-clone/*.png.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts" / "fresh-clone"
CHROMIUM = Path("/usr/bin/chromium")
# What the README's user has: none of the deployment's settings.
DROPPED = ("DATABASE_URL", "REDIS_URL", "MYSTAGE_DATA_DIR", "STATIC_ROOT", "SYNC_LOCAL_DIR", "MEDIA_ROOT")

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")),
        reason="runs once, on the SQLite run of the suite (the README's default)",
    ),
    pytest.mark.skipif(shutil.which("git") is None, reason="needs git to list the repository's files"),
]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def clone(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("fresh") / "mystage"
    files = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        check=True,
        capture_output=True,
    ).stdout.split(b"\0")
    for name in filter(None, files):
        source = ROOT / name.decode()
        if source.is_file():
            (target / name.decode()).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name.decode())
    return target


@pytest.fixture(scope="module")
def env() -> dict[str, str]:
    environ = {
        k: v
        for k, v in os.environ.items()
        if k not in DROPPED and not k.startswith(("ALGOLIA_", "FIRESTORE_"))
    }
    return environ | {
        "DEMO_WEB_PORT": str(_free_port()),
        "WEB_PORT": str(_free_port()),
        # The test's page is served on 127.0.0.1; a real user scrapes public sites.
        "SCRAPE_ALLOWED_PRIVATE_HOSTS": "127.0.0.1",
        "SCRAPE_DEFAULT_HOST_DELAY_SECONDS": "0",
        "IMAGE_FETCH_ENABLED": "0",
    }


@pytest.fixture(scope="module")
def demo(clone: Path, env: dict[str, str]) -> str:
    result = subprocess.run(
        ["make", "demo"],
        cwd=clone,
        env=env,
        capture_output=True,
        text=True,
        timeout=1800,
        stdin=subprocess.DEVNULL,
    )
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "make-demo.log").write_text(
        result.stdout[-20000:] + "\n--- stderr ---\n" + result.stderr[-20000:]
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "DEMO OK:" in result.stdout
    assert "make run" in result.stdout  # the demo says what to do next
    return result.stdout


@pytest.fixture(scope="module")
def running(clone: Path, env: dict[str, str], demo: str) -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    log = (ARTIFACTS / "make-run.log").open("wb")
    process = subprocess.Popen(
        ["make", "run"],
        cwd=clone,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        start_new_session=True,  # a process group of its own, like a terminal's foreground job
    )
    base = f"http://127.0.0.1:{env['WEB_PORT']}"
    try:
        deadline = time.monotonic() + 300
        while True:
            try:
                if httpx.get(base + "/admin/login/", timeout=5).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert process.poll() is None, (ARTIFACTS / "make-run.log").read_text()[-3000:]
            assert time.monotonic() < deadline, "the web server did not answer within 5 minutes"
            time.sleep(1)
        yield process, base
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        log.close()


def _manage(clone: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(clone / ".venv" / "bin" / "python"), "manage.py", *args],
        cwd=clone,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )


def test_make_run_serves_the_styled_admin_and_the_docs_from_its_own_static_files(running):
    _, base = running
    login = httpx.get(base + "/admin/login/")
    stylesheets = re.findall(r'<link rel="stylesheet" href="([^"]+)"', login.text)
    assert "/static/admin/css/base.css" in stylesheets
    for href in stylesheets:
        css = httpx.get(base + href)
        assert css.status_code == 200, href
        assert css.headers["content-type"].startswith("text/css")
    assert "#header" in httpx.get(base + "/static/admin/css/base.css").text
    docs = httpx.get(base + "/api/docs").text
    scripts = re.findall(r'<script src="([^"]+)"', docs)
    assert "/static/ninja/swagger-ui-bundle.js" in scripts
    assert not [s for s in scripts if s.startswith(("http:", "https:", "//"))]  # no CDN
    for src in scripts:
        assert httpx.get(base + src).status_code == 200, src


def test_a_scrape_queued_through_the_api_completes(running, clone, env):
    from demo.webserver import start_server

    _, base = running
    key = _manage(clone, env, "create_api_key", "fresh-clone", "--staff").stdout.strip()
    headers = {"X-API-Key": key}
    deadline = time.monotonic() + 120
    while not httpx.get(base + "/api/pipeline/status", headers=headers).json()["workers"]["running"]:
        assert time.monotonic() < deadline, "no worker cluster was seen within 2 minutes"
        time.sleep(1)
    assert "worker cluster(s) running" in _manage(clone, env, "stats").stdout

    with start_server(clone / "demo" / "web") as site:
        page = site.url("/hidden-hall/events/index.html")
        answer = httpx.post(
            base + "/api/pipeline/scrapes", json={"url": page, "source": "fresh-clone-check"}, headers=headers
        )
        assert answer.status_code == 202, answer.text
        assert answer.json()["worker_running"] is True
        scrape_id = answer.json()["scrape_id"]
        deadline = time.monotonic() + 300
        while True:
            scrape = httpx.get(f"{base}/api/pipeline/scrapes/{scrape_id}", headers=headers).json()
            if (
                scrape["status"] == "done"
                and scrape["extractions"]
                and scrape["extractions"][0]["status"] == "done"
            ):
                break
            assert scrape["status"] != "failed", scrape
            assert time.monotonic() < deadline, f"the queued scrape did not complete: {scrape}"
            time.sleep(1)
    assert scrape["http_status"] == 200
    assert scrape["extractions"][0]["performances"] > 0


@pytest.mark.skipif(not CHROMIUM.exists(), reason="/usr/bin/chromium is missing")
def test_a_browser_sees_the_styled_admin_and_the_docs(running, monkeypatch):
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    _, base = running
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.set_default_timeout(60_000)
        page.goto(base + "/admin/login/")
        page.screenshot(path=str(ARTIFACTS / "login.png"))
        assert page.evaluate("getComputedStyle(document.querySelector('#header')).backgroundColor") not in (
            "rgba(0, 0, 0, 0)",
            "transparent",
        )
        page.fill("#id_username", "demo")  # the README's demo login
        page.fill("#id_password", "demo")
        with page.expect_navigation():
            page.click("input[type=submit]")
        page.screenshot(path=str(ARTIFACTS / "admin-index.png"), full_page=True)
        page.goto(base + "/admin/pipeline/")
        assert "worker cluster(s) running" in page.inner_text("#workers")
        page.screenshot(path=str(ARTIFACTS / "dashboard.png"), full_page=True)
        page.goto(base + "/api/docs")
        page.wait_for_selector(".swagger-ui .opblock")
        page.screenshot(path=str(ARTIFACTS / "api-docs.png"))
        browser.close()


def _alive(group: int) -> bool:
    try:
        os.killpg(group, 0)
    except ProcessLookupError:
        return False
    return True


def test_ctrl_c_stops_the_web_server_and_the_workers_together(running, clone, env):
    process, base = running
    # `serve` starts the web server and the cluster each in a process group of its own (the cluster's
    # holds its worker processes too) and names their pids.
    started = re.findall(rb"(web server|worker cluster) pid (\d+)", (ARTIFACTS / "make-run.log").read_bytes())
    groups = {name.decode(): int(pid) for name, pid in started}
    assert set(groups) == {"web server", "worker cluster"}
    assert all(_alive(group) for group in groups.values())

    os.killpg(process.pid, signal.SIGINT)  # what Ctrl-C in a terminal does: SIGINT to the foreground group
    process.wait(timeout=120)
    assert b"Stopped the web server and the worker cluster." in (ARTIFACTS / "make-run.log").read_bytes()
    deadline = time.monotonic() + 60
    while any(_alive(group) for group in [process.pid, *groups.values()]):
        assert time.monotonic() < deadline, subprocess.run(
            ["ps", "-eo", "pid,pgid,cmd"], capture_output=True, text=True
        ).stdout
        time.sleep(0.5)
    with pytest.raises(httpx.TransportError):
        httpx.get(base + "/admin/login/", timeout=5)
    # The cluster is gone; for a minute it may be restarting, after that stats says no worker runs.
    assert "No worker cluster right now; one was seen" in _manage(clone, env, "stats").stdout
