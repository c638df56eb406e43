"""Politeness in the pipeline: robots.txt cached per host, Disallow and Crawl-delay honoured, and one
request slot per host at a time shared by all workers through the database."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from core.retry import MAX_WAIT_SECONDS
from core.stages import StageStatus
from demo.webserver import start_server
from sourcing import services
from sourcing.models import HostState, Scrape, Source

pytestmark = [pytest.mark.django_db(transaction=True)]

ROBOTS = "User-agent: *\nDisallow: /private/\n\nUser-agent: MyStageBot\nCrawl-delay: 1\nDisallow: /members/\n"


@pytest.fixture
def site(tmp_path: Path):
    (tmp_path / "robots.txt").write_text(ROBOTS)
    for name in ("a", "b", "c", "members", "private"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "index.html").write_text(f"<html><title>{name}</title></html>")
    with start_server(tmp_path) as server:
        yield server


def _scrape(site, path: str, source: Source) -> Scrape:
    url = services.url_add(source=source, url=site.url(path))
    scrape = services.scrape_request(url=url, requested_by="test")
    assert scrape is not None
    scrape.refresh_from_db()
    return scrape


@pytest.fixture
def source(pipeline_settings):
    return services.source_upsert(name="polite", kind="venue_site")


def test_robots_disallow_for_our_agent_is_a_recorded_failure(site, source):
    scrape = _scrape(site, "/members/", source)
    assert scrape.status == StageStatus.FAILED
    assert scrape.last_error.startswith(
        f"robots.txt of {site.base_url[7:]} disallows this URL for MyStageBot"
    )
    # Our agent has its own group, so the "*" group's rules do not apply to it (robots.txt semantics)
    assert _scrape(site, "/private/", source).status == StageStatus.DONE


def test_robots_is_fetched_once_and_its_crawl_delay_spaces_requests(site, source):
    first = _scrape(site, "/a/", source)
    state = HostState.objects.get()
    fetched_at = state.robots_fetched_at
    assert (state.robots_status, state.crawl_delay) == (200, 1.0)

    second = _scrape(site, "/b/", source)
    assert HostState.objects.get().robots_fetched_at == fetched_at  # cached, not fetched again
    assert first.status == second.status == StageStatus.DONE
    assert first.finished_at is not None
    assert second.finished_at is not None
    assert (second.finished_at - first.finished_at).total_seconds() >= 0.9


def test_a_far_slot_hands_the_scrape_back_instead_of_holding_a_worker(site, source, pipeline_settings):
    pipeline_settings.SCRAPE_MAX_SLOT_WAIT_SECONDS = 0.5
    Source.objects.filter(pk=source.pk).update(min_delay_seconds=30)
    source.refresh_from_db()
    assert _scrape(site, "/a/", source).status == StageStatus.DONE
    waiting = _scrape(site, "/b/", source)
    assert waiting.status == StageStatus.PENDING
    assert waiting.attempts == 0  # waiting for politeness is not a failed attempt
    assert waiting.retry_at is not None
    assert 25 < (waiting.retry_at - waiting.updated_at).total_seconds() <= 31


def _robots_server(robots_status: int) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(robots_status if self.path == "/robots.txt" else 200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            self.wfile.write(b"<html><title>page</title></html>")

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.mark.parametrize(
    ("robots_status", "scrape_status"),
    [
        (404, StageStatus.DONE),  # no robots.txt: everything is allowed (RFC 9309)
        (410, StageStatus.DONE),
        (401, StageStatus.FAILED),  # "you may not see our rules": nothing is (as urllib.robotparser)
        (403, StageStatus.FAILED),
    ],
)
def test_a_robots_txt_we_cannot_have(pipeline_settings, robots_status, scrape_status):
    server = _robots_server(robots_status)
    try:
        source = services.source_upsert(name="no-robots", kind="venue_site")
        url = services.url_add(source=source, url=f"http://127.0.0.1:{server.server_port}/anything")
        services.scrape_request(url=url)
    finally:
        server.shutdown()
    assert Scrape.objects.get(url=url).status == scrape_status
    assert HostState.objects.get().robots_status == robots_status


def test_a_hostile_robots_txt_is_read_leniently(pipeline_settings):
    # A charset Python knows but that refuses every byte, bytes that are not UTF-8, a Crawl-delay of
    # 5000 digits: the rules still apply, and the delay is a day (the far slot hands the scrape back).
    body = (
        b"# caf\xe9 \xff\nUser-agent: *\nDisallow: /private/\nCrawl-delay: " + b"9" * 5000 + b"\n\x81\x8d\n"
    )

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            robots = self.path == "/robots.txt"
            self.send_header("Content-Type", "text/plain; charset=undefined" if robots else "text/html")
            self.end_headers()
            self.wfile.write(body if robots else b"<html><title>page</title></html>")

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        source = services.source_upsert(name="hostile", kind="venue_site")
        base = f"http://127.0.0.1:{server.server_port}"
        private = _scrape_url(source, f"{base}/private/x")
        public = _scrape_url(source, f"{base}/public")
    finally:
        server.shutdown()
    assert private.status == StageStatus.FAILED
    assert "disallows" in private.last_error
    state = HostState.objects.get()
    assert state.crawl_delay == MAX_WAIT_SECONDS
    assert public.status in (StageStatus.DONE, StageStatus.PENDING)


def _scrape_url(source: Source, url_text: str) -> Scrape:
    url = services.url_add(source=source, url=url_text)
    services.scrape_request(url=url)
    return Scrape.objects.get(url=url)
