"""Target selection from settings, and the pieces every target shares (no database, no network)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from algoliasearch.http.exceptions import AlgoliaUnreachableHostException, RequestException

from sync.services import target_for
from sync.targets.algolia import AlgoliaTarget, is_transient, parse_host
from sync.targets.base import TargetUnavailable, call_with_retries, split_requests
from sync.targets.local import LocalDocumentStore


@pytest.mark.parametrize(
    ("overrides", "firestore_kind", "algolia_kind"),
    [
        ({}, LocalDocumentStore, LocalDocumentStore),
        ({"ALGOLIA_APP_ID": "APP", "ALGOLIA_API_KEY": "KEY"}, LocalDocumentStore, AlgoliaTarget),
        ({"ALGOLIA_APP_ID": "APP"}, LocalDocumentStore, LocalDocumentStore),  # half configured
        ({"FIRESTORE_PROJECT": "p"}, LocalDocumentStore, LocalDocumentStore),  # no emulator, no credentials
        ({"FIRESTORE_PROJECT": "p", "FIRESTORE_EMULATOR_HOST": "127.0.0.1:1"}, "FirestoreTarget", None),
    ],
)
def test_target_for_follows_the_settings(sync_settings, overrides, firestore_kind, algolia_kind):
    for name, value in overrides.items():
        setattr(sync_settings, name, value)
    firestore = target_for("firestore")
    algolia = target_for("algolia")
    if isinstance(firestore_kind, str):
        assert type(firestore).__name__ == firestore_kind
        assert isinstance(algolia, LocalDocumentStore)
    else:
        assert isinstance(firestore, firestore_kind)
        assert isinstance(algolia, algolia_kind)


def test_algolia_hosts_and_prefix_come_from_settings(sync_settings):
    sync_settings.ALGOLIA_APP_ID, sync_settings.ALGOLIA_API_KEY = "APP", "KEY"
    sync_settings.ALGOLIA_HOSTS = ["http://127.0.0.1:8123"]
    sync_settings.ALGOLIA_INDEX_PREFIX = "prod_"
    target = target_for("algolia")
    assert isinstance(target, AlgoliaTarget)
    hosts = target.config.hosts.write() if target.config.hosts else []
    assert [(h.scheme, h.url, h.port) for h in hosts] == [("http", "127.0.0.1", 8123)]
    assert target.config.proxies == {}
    assert target.index_name("venues") == "prod_venues"


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("http://127.0.0.1:8080", ("http", "127.0.0.1", 8080)),
        ("https://APP-dsn.algolia.net", ("https", "app-dsn.algolia.net", None)),
        ("APP-1.algolianet.com", ("https", "app-1.algolianet.com", None)),
        ("localhost:9000", ("https", "localhost", 9000)),
    ],
)
def test_parse_host(spec, expected):
    host = parse_host(spec)
    assert (host.scheme, host.url, host.port) == expected


@pytest.mark.parametrize(
    ("exc", "transient"),
    [
        (RequestException("rate limited", 429), True),
        (RequestException("unavailable", 503), True),
        (RequestException("record too big", 400), False),
        (RequestException("invalid key", 403), False),
        (AlgoliaUnreachableHostException("down"), True),
        (ConnectionError("refused"), True),
        (ValueError("bug"), False),
    ],
)
def test_algolia_errors_worth_retrying(exc, transient):
    assert is_transient(exc) is transient


def test_split_requests_respects_count_and_size():
    items = ["x" * 10] * 25
    chunks = list(split_requests(items, max_items=10, max_bytes=1000, size=len))
    assert [len(c) for c in chunks] == [10, 10, 5]
    chunks = list(split_requests(items, max_items=100, max_bytes=35, size=len))
    assert [len(c) for c in chunks] == [3] * 8 + [1]
    # An item bigger than the limit travels alone
    assert list(split_requests(["a", "b" * 50, "c"], max_items=10, max_bytes=10, size=len)) == [
        ["a"],
        ["b" * 50],
        ["c"],
    ]


def test_call_with_retries_backs_off_then_gives_up():
    calls: list[int] = []
    sleeps: list[float] = []
    resets: list[int] = []

    def flaky():
        calls.append(1)
        if len(calls) < 3:
            raise ConnectionError("refused")
        return "ok"

    def retry(func, attempts):
        return call_with_retries(
            func,
            is_transient=lambda e: isinstance(e, ConnectionError),
            attempts=attempts,
            base_delay=1.0,
            what="test",
            sleep=sleeps.append,
            before_retry=lambda: resets.append(1),
        )

    assert retry(flaky, 3) == "ok"
    assert len(calls) == 3
    assert len(resets) == 2
    assert 0.5 <= sleeps[0] <= 1.0
    assert 1.0 <= sleeps[1] <= 2.0

    calls.clear()
    with pytest.raises(TargetUnavailable, match="test: ConnectionError: refused"):
        retry(flaky, 2)
    assert len(calls) == 2

    def bug():
        raise ValueError("bug")

    with pytest.raises(ValueError, match="bug"):  # not transient: no retry
        retry(bug, 5)
    assert len(sleeps) == 3


def test_serializers_and_targets_do_not_import_django():
    code = (
        "import sys\n"
        "import sync.contract, sync.serializers, sync.targets.base, sync.targets.local, sync.targets.limits\n"
        "import sync.targets.algolia, sync.targets.firestore\n"
        "print(','.join(sorted(m for m in sys.modules if m == 'django' or m.startswith('django.'))))\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code],
        cwd=Path(__file__).resolve().parents[2],
        capture_output=True,
        text=True,
        check=True,
    )
    assert proc.stdout.strip() == ""
