"""Tests of the demo web server (demo/webserver.py): static serving, validators, /_test/ routes.

Standard library only (urllib, http.client); the server runs on a free port for the module.
"""

from __future__ import annotations

import hashlib
import http.client
import json
import re
import time
import urllib.error
import urllib.request
import urllib.robotparser
import zlib
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest

from demo.webserver import DEFAULT_ROOT, RunningServer, start_server

DEMO_DIR = Path(__file__).resolve().parent.parent / "demo"
SEED = DEMO_DIR / "seed.json"


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


NO_REDIRECT = urllib.request.build_opener(_NoRedirect)


@pytest.fixture(scope="module")
def server() -> Iterator[RunningServer]:
    with start_server(DEFAULT_ROOT) as srv:
        yield srv


def fetch(
    srv: RunningServer, path: str, headers: dict[str, str] | None = None, follow: bool = True
) -> tuple[int, dict[str, str], bytes]:
    """GET a server path; (status, headers, body) also for error statuses."""
    request = urllib.request.Request(srv.url(path), headers=headers or {})
    opener = urllib.request.build_opener() if follow else NO_REDIRECT
    try:
        with opener.open(request, timeout=30) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as err:
        with err:
            return err.code, dict(err.headers), err.read()


def raw_get(srv: RunningServer, raw_path: str, method: str = "GET") -> tuple[int, bytes]:
    """Send the request target exactly as given (urllib would normalise some paths)."""
    conn = http.client.HTTPConnection(srv.host, srv.port, timeout=30)
    try:
        conn.putrequest(method, raw_path, skip_accept_encoding=True)
        conn.endheaders()
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


# --- lifecycle -------------------------------------------------------------------------------------


def test_start_on_free_port_and_stop(tmp_path: Path) -> None:
    (tmp_path / "index.html").write_text("<p>hi</p>", encoding="utf-8")
    srv = start_server(tmp_path)
    assert srv.port > 0
    assert srv.base_url == f"http://127.0.0.1:{srv.port}"
    status, _, body = fetch(srv, "/")
    assert (status, body) == (200, b"<p>hi</p>")
    srv.stop()
    with pytest.raises(urllib.error.URLError):
        urllib.request.urlopen(srv.base_url + "/", timeout=2)


def test_start_server_rejects_missing_root(tmp_path: Path) -> None:
    with pytest.raises(NotADirectoryError):
        start_server(tmp_path / "nope")


# --- static files ----------------------------------------------------------------------------------


def test_html_page_served_unchanged_with_validators(server: RunningServer) -> None:
    status, headers, body = fetch(server, "/fremont-abbey/events/index.html")
    assert status == 200
    assert headers["Content-Type"] == "text/html; charset=utf-8"
    assert body == (DEFAULT_ROOT / "fremont-abbey/events/index.html").read_bytes()
    assert headers["ETag"] == '"' + hashlib.sha1(body).hexdigest() + '"'
    assert headers["Last-Modified"].endswith("GMT")
    assert int(headers["Content-Length"]) == len(body)


def test_json_content_type(server: RunningServer) -> None:
    status, headers, body = fetch(server, "/dice/sunset-tavern/events.json")
    assert status == 200
    assert headers["Content-Type"] == "application/json"
    assert "data" in json.loads(body)


def test_directory_serves_index_and_redirects_to_slash(server: RunningServer) -> None:
    status, _, body = fetch(server, "/fremont-abbey/events/")
    assert status == 200
    assert body == (DEFAULT_ROOT / "fremont-abbey/events/index.html").read_bytes()
    status, headers, _ = fetch(server, "/fremont-abbey/events", follow=False)
    assert status == 301
    assert headers["Location"] == "/fremont-abbey/events/"


def test_missing_is_404(server: RunningServer) -> None:
    assert fetch(server, "/no/such/page.html")[0] == 404
    assert fetch(server, "/bandsintown/")[0] == 404  # a directory without index.html: no listing


def test_percent_encoded_artist_path(server: RunningServer) -> None:
    status, _, body = fetch(server, "/bandsintown/artists/" + quote("A R I Z O N A") + "/events.json")
    assert status == 200
    events = json.loads(body)
    assert events
    assert events[0]["artist"]["name"] == "A R I Z O N A"  # the dump embeds the artist in the first event
    assert {event["artist_id"] for event in events} == {events[0]["artist"]["id"]}


def test_if_none_match_gives_304(server: RunningServer) -> None:
    path = "/seattle-shows/index.html"
    _, headers, _ = fetch(server, path)
    etag = headers["ETag"]
    status, headers304, body = fetch(server, path, {"If-None-Match": etag})
    assert status == 304
    assert body == b""
    assert headers304["ETag"] == etag
    assert fetch(server, path, {"If-None-Match": f'"other", W/{etag}'})[0] == 304
    assert fetch(server, path, {"If-None-Match": '"something-else"'})[0] == 200


def test_if_modified_since_gives_304(server: RunningServer) -> None:
    path = "/royal-room/events/index.html"
    _, headers, _ = fetch(server, path)
    last_modified = headers["Last-Modified"]
    assert fetch(server, path, {"If-Modified-Since": last_modified})[0] == 304
    assert fetch(server, path, {"If-Modified-Since": "Mon, 01 Jan 1990 00:00:00 GMT"})[0] == 200
    assert fetch(server, path, {"If-Modified-Since": "not a date"})[0] == 200
    # If-None-Match wins over If-Modified-Since (RFC 9110 13.2.2)
    assert fetch(server, path, {"If-None-Match": '"nope"', "If-Modified-Since": last_modified})[0] == 200


@pytest.mark.parametrize(
    "raw_path",
    [
        "/../../../../etc/passwd",
        "/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
        "/..%2f..%2f..%2f..%2fetc%2fpasswd",
        "/fremont-abbey/../../demo/webserver.py",
        "/%2E%2E/webserver.py",
        "/..\\..\\etc\\passwd",
        "/%00/etc/passwd",
        "/%ff%fe",
        "//etc/passwd",
    ],
)
def test_path_traversal_refused(server: RunningServer, raw_path: str) -> None:
    status, body = raw_get(server, raw_path)
    assert status in (400, 403, 404)
    assert b"root:" not in body
    assert b"ThreadingHTTPServer" not in body


def test_symlink_out_of_root_refused(tmp_path: Path) -> None:
    root = tmp_path / "root"
    root.mkdir()
    (tmp_path / "secret.txt").write_text("secret", encoding="utf-8")
    (root / "link.txt").symlink_to(tmp_path / "secret.txt")
    with start_server(root) as srv:
        assert fetch(srv, "/link.txt")[0] == 404


def test_dotfiles_refused(server: RunningServer) -> None:
    assert raw_get(server, "/.git/config")[0] == 404


def test_robots_txt(server: RunningServer, tmp_path: Path) -> None:
    status, headers, body = fetch(server, "/robots.txt")
    assert status == 200
    assert headers["Content-Type"].startswith("text/plain")
    assert b"Disallow: /private/" in body
    parser = _robots(body)
    assert parser.can_fetch("*", server.url("/fremont-abbey/events/"))
    assert not parser.can_fetch("*", server.url("/private/index.html"))
    # a root without its own robots.txt gets the same default
    with start_server(tmp_path) as srv:
        status, _, body = fetch(srv, "/robots.txt")
        assert status == 200
        assert b"Disallow: /private/" in body


def _robots(body: bytes) -> urllib.robotparser.RobotFileParser:
    parser = urllib.robotparser.RobotFileParser()
    parser.parse(body.decode().splitlines())
    return parser


def test_head_has_headers_but_no_body(server: RunningServer) -> None:
    status, body = raw_get(server, "/fremont-abbey/events/index.html", method="HEAD")
    assert status == 200
    assert body == b""


# --- the demo tree and seed --------------------------------------------------------------------------


def test_every_seed_url_is_served(server: RunningServer) -> None:
    seed = json.loads(SEED.read_text(encoding="utf-8"))
    kinds = {source["kind"] for source in seed["sources"]}
    assert {"venue_site", "aggregator", "bandsintown", "dice"} <= kinds
    for source in seed["sources"]:
        assert source["urls"], source["name"]
        for url in source["urls"]:
            status, headers, body = fetch(server, url)
            assert status == 200, url
            if url.endswith(".json"):
                json.loads(body)
            else:
                assert "application/ld+json" in body.decode("utf-8"), url


def test_seattle_shows_page_has_music_events_with_performers(server: RunningServer) -> None:
    _, _, body = fetch(server, "/seattle-shows/index.html")
    blocks = re.findall(rb'<script type="application/ld\+json">(.*?)</script>', body, re.S)
    events = [event for block in blocks for event in json.loads(block)]
    assert len(events) >= 8
    assert all(event["@type"] == "MusicEvent" and event["performer"] for event in events)
    assert sum(len(event["performer"]) > 1 for event in events) >= 2


def test_demo_tree_is_small() -> None:
    total = sum(p.stat().st_size for p in DEFAULT_ROOT.rglob("*") if p.is_file())
    assert total < 1_600_000
    bandsintown = sum(p.stat().st_size for p in (DEFAULT_ROOT / "bandsintown").rglob("*") if p.is_file())
    assert bandsintown < 300_000


# --- /_test/ routes ------------------------------------------------------------------------------------


def test_slow_page(server: RunningServer) -> None:
    started = time.monotonic()
    status, _, body = fetch(server, "/_test/slow?seconds=0.3")
    assert time.monotonic() - started >= 0.3
    assert status == 200
    assert b"Slow page" in body


def test_slow_serves_given_path(server: RunningServer) -> None:
    status, headers, body = fetch(server, "/_test/slow?seconds=0&path=/seattle-shows/index.html")
    assert status == 200
    assert body == (DEFAULT_ROOT / "seattle-shows/index.html").read_bytes()
    assert "ETag" in headers


def test_slow_times_out_client(server: RunningServer) -> None:
    with pytest.raises(TimeoutError):
        urllib.request.urlopen(server.url("/_test/slow?seconds=3"), timeout=0.3)
    # the server is still fine afterwards
    assert fetch(server, "/robots.txt")[0] == 200


def test_slow_bad_seconds(server: RunningServer) -> None:
    assert fetch(server, "/_test/slow?seconds=soon")[0] == 400


@pytest.mark.parametrize("code", [200, 201, 400, 403, 404, 410, 418, 451, 500, 502, 504])
def test_status_route(server: RunningServer, code: int) -> None:
    status, headers, _ = fetch(server, f"/_test/status/{code}")
    assert status == code
    assert "Retry-After" not in headers


@pytest.mark.parametrize("code", [429, 503])
def test_status_route_retry_after(server: RunningServer, code: int) -> None:
    status, headers, _ = fetch(server, f"/_test/status/{code}")
    assert status == code
    assert headers["Retry-After"] == "1"


def test_status_route_no_body_codes(server: RunningServer) -> None:
    status, body = raw_get(server, "/_test/status/204")
    assert (status, body) == (204, b"")
    assert fetch(server, "/_test/status/999")[0] == 400
    assert fetch(server, "/_test/status/abc")[0] == 404  # not a status route at all
    assert fetch(server, "/_test/status/100")[0] == 400


def test_redirect(server: RunningServer) -> None:
    status, headers, _ = fetch(server, "/_test/redirect?to=/seattle-shows/", follow=False)
    assert status == 302
    assert headers["Location"] == "/seattle-shows/"
    status, _, body = fetch(server, "/_test/redirect?to=" + quote(server.url("/seattle-shows/"), safe=""))
    assert status == 200
    assert b"Seattle Shows" in body
    status, headers, _ = fetch(server, "/_test/redirect?to=/x&code=308", follow=False)
    assert (status, headers["Location"]) == (308, "/x")
    assert fetch(server, "/_test/redirect")[0] == 400
    assert fetch(server, "/_test/redirect?to=/x&code=200")[0] == 400


def test_redirect_loop(server: RunningServer) -> None:
    status, headers, _ = fetch(server, "/_test/redirect-loop/7", follow=False)
    assert (status, headers["Location"]) == (302, "/_test/redirect-loop/8")
    with pytest.raises(urllib.error.HTTPError, match="infinite loop"):
        urllib.request.urlopen(server.url("/_test/redirect-loop/0"), timeout=10)


def test_big(server: RunningServer) -> None:
    status, headers, body = fetch(server, "/_test/big?mb=2")
    assert status == 200
    assert len(body) == 2 * 1024 * 1024 == int(headers["Content-Length"])
    assert body.startswith(b"<!DOCTYPE html>")
    assert body.rstrip().endswith(b"</html>")


def test_big_fractional_and_head(server: RunningServer) -> None:
    status, _, body = fetch(server, "/_test/big?mb=0.01")
    assert status == 200
    assert len(body) == int(0.01 * 1024 * 1024)
    assert raw_get(server, "/_test/big?mb=5", method="HEAD") == (200, b"")


def test_gzip_bomb(server: RunningServer) -> None:
    status, headers, body = fetch(server, "/_test/gzip-bomb")
    assert status == 200
    assert headers["Content-Encoding"] == "gzip"
    assert len(body) < 1024 * 1024  # small on the wire
    inflater = zlib.decompressobj(31)
    head = inflater.decompress(body, 1024 * 1024)  # bounded: 1 MiB of output only
    assert head == bytes(1024 * 1024)
    inflated = len(head)
    data = inflater.unconsumed_tail
    while data:  # count the rest in bounded steps (never 100 MiB in memory)
        inflated += len(inflater.decompress(data, 4 * 1024 * 1024))
        data = inflater.unconsumed_tail
    assert inflater.eof
    assert inflated == 100 * 1024 * 1024


def test_latin1_page_lies_about_its_charset(server: RunningServer) -> None:
    status, headers, body = fetch(server, "/_test/latin1")
    assert status == 200
    assert "charset" not in headers["Content-Type"]
    assert b'<meta charset="utf-8">' in body
    with pytest.raises(UnicodeDecodeError):
        body.decode("utf-8")
    text = body.decode("windows-1252")
    assert "Café Nouveau" in text
    assert "€" in text


def test_broken_jsonld(server: RunningServer) -> None:
    status, _, body = fetch(server, "/_test/broken-jsonld")
    assert status == 200
    block = re.search(rb'<script type="application/ld\+json">(.*?)</script>', body, re.S)
    assert block is not None
    with pytest.raises(json.JSONDecodeError):
        json.loads(block.group(1))
    assert b'"@type": "MusicEvent"' in block.group(1)


def test_echo_headers(server: RunningServer) -> None:
    status, headers, body = fetch(
        server, "/_test/echo-headers", {"User-Agent": "MyStageBot/1.0", "X-Test": "yes"}
    )
    assert status == 200
    assert headers["Content-Type"] == "application/json"
    echoed = json.loads(body)
    assert echoed["user-agent"] == "MyStageBot/1.0"
    assert echoed["x-test"] == "yes"
    assert echoed["host"] == f"127.0.0.1:{server.port}"


def test_unknown_test_route_is_404(server: RunningServer) -> None:
    assert fetch(server, "/_test/nothing")[0] == 404


def test_keep_alive_connection_reused(server: RunningServer) -> None:
    conn = http.client.HTTPConnection(server.host, server.port, timeout=10)
    try:
        for path in ("/robots.txt", "/_test/status/404", "/seattle-shows/index.html", "/robots.txt"):
            conn.request("GET", path)
            response = conn.getresponse()
            response.read()
            assert response.status in (200, 404)
    finally:
        conn.close()


def test_quiet_by_default(server: RunningServer, capfd: pytest.CaptureFixture[str]) -> None:
    fetch(server, "/robots.txt")
    fetch(server, "/nope")
    assert capfd.readouterr().err == ""
