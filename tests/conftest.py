"""Shared fixtures: the local demo web (every site and API we scrape, on 127.0.0.1), inline tasks,
sync stand-ins in a temporary folder, and a guard that no test reaches the internet."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# Worker processes started by tests (another MYSTAGE_DATA_DIR each) share this checkout's offline
# gazetteer index instead of building their own (~20 s each).
os.environ.setdefault("GAZETTEER_DIR", str(ROOT / "data" / "gazetteer"))


@pytest.fixture(autouse=True)
def _no_internet(monkeypatch: pytest.MonkeyPatch) -> None:
    """Refuse connections to anything but loopback: tests talk to local servers only."""
    real_connect = socket.socket.connect

    def guarded_connect(sock: socket.socket, address: object) -> object:
        host = address[0] if isinstance(address, tuple) else address
        if sock.family in (socket.AF_INET, socket.AF_INET6) and host not in ("127.0.0.1", "::1", "localhost"):
            raise OSError(f"tests may not reach {address!r}: serve it from a local server instead")
        return real_connect(sock, address)  # type: ignore[arg-type]

    monkeypatch.setattr(socket.socket, "connect", guarded_connect)


@pytest.fixture(autouse=True)
def _generous_api_rates(settings: object) -> None:
    """Tests make many API calls a minute; tests/api/test_throttling.py sets the limits it tests."""
    settings.API_RATE_ANONYMOUS = "100000/min"  # type: ignore[attr-defined]
    settings.API_RATE_AUTHENTICATED = "100000/min"  # type: ignore[attr-defined]


@pytest.fixture(scope="session")
def demo_web() -> Iterator[object]:
    from demo.webserver import start_server

    with start_server(ROOT / "demo" / "web", host="127.0.0.1", port=0) as server:
        yield server


@pytest.fixture(scope="session")
def fixtures_web() -> Iterator[object]:
    """The saved real pages in tests/fixtures/web, served as they are."""
    from demo.webserver import start_server

    with start_server(ROOT / "tests" / "fixtures" / "web", host="127.0.0.1", port=0) as server:
        yield server


@pytest.fixture
def pipeline_settings(settings: object, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> object:
    """Tasks run inline (django-q2 sync mode), the fetcher may reach 127.0.0.1, sync writes to tmp."""
    from django_q.conf import Conf

    monkeypatch.setattr(Conf, "SYNC", True)
    settings.SCRAPE_ALLOWED_PRIVATE_HOSTS = ["127.0.0.1"]  # type: ignore[attr-defined]
    settings.SYNC_LOCAL_DIR = tmp_path / "sync"  # type: ignore[attr-defined]
    settings.SCRAPE_TIMEOUT_SECONDS = 5  # type: ignore[attr-defined]
    # The saved real pages link images on the internet: the pipeline requests none (tests/images
    # turns this on and serves its images from 127.0.0.1).
    settings.IMAGE_FETCH_ENABLED = False  # type: ignore[attr-defined]
    # Every local test site is one host (127.0.0.1:port): politeness gaps would only slow tests down;
    # tests/sourcing/test_politeness.py sets them on purpose.
    settings.SCRAPE_DEFAULT_HOST_DELAY_SECONDS = 0  # type: ignore[attr-defined]
    return settings


@pytest.fixture(autouse=True)
def _workers_cache_of_its_own(settings: object) -> Iterator[None]:
    """Worker heartbeats go to a cache of this test's own, so that a `make run` on the same machine
    (whose clusters write to data/cache/workers) is not taken for the test's worker; emptied around each
    test, so that no test sees a worker another one pretended to see."""
    from django.core.cache import caches

    settings.CACHES = {  # type: ignore[attr-defined]
        **settings.CACHES,  # type: ignore[attr-defined]
        "workers": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "test-workers"},
    }
    caches["workers"].clear()
    yield
    caches["workers"].clear()


@pytest.fixture
def unused_port() -> int:
    """A local port nothing listens on (bound, then closed)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
