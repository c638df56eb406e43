"""A small static web server for the local demo and for fetcher tests (standard library only).

Serves a directory tree (by default ``demo/web``) over HTTP/1.1 with content types by extension,
``ETag`` (sha1 of the bytes) and ``Last-Modified`` headers, conditional requests answered with
304, ``index.html`` for directories, 404 for anything missing or outside the root, and a
``robots.txt`` (the root's own file, or a default that disallows only ``/private/``).

Under ``/_test/`` it offers failure modes for fetcher tests::

    /_test/slow?seconds=S[&path=/x]   sleep S seconds (max 60), then serve /x or a small page
    /_test/status/<code>              answer with that status (Retry-After: 1 for 429 and 503)
    /_test/redirect?to=<url>[&code=C] redirect (302, or C in 301/302/303/307/308) to <url>
    /_test/redirect-loop/<n>          302 to /_test/redirect-loop/<n+1>, forever
    /_test/big?mb=N                   stream N MiB of HTML (max 1024)
    /_test/gzip-bomb                  ~100 KB gzip body (Content-Encoding: gzip) inflating to 100 MiB
    /_test/latin1                     windows-1252 bytes whose <meta charset="utf-8"> lies
    /_test/broken-jsonld              a MusicEvent JSON-LD block with trailing commas
    /_test/echo-headers               the request headers as a JSON object (lower-case names)

Library use::

    with start_server(Path("demo/web")) as srv:
        urllib.request.urlopen(srv.base_url + "/fremont-abbey/events/")

Command line: ``python -m demo.webserver --root demo/web --port 8741``.
Requests are not logged unless the environment variable ``DEMO_WEB_VERBOSE=1``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import socket
import sys
import threading
import time
import zlib
from collections.abc import Iterator
from email.utils import formatdate, parsedate_to_datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs, quote, unquote, urlsplit

DEFAULT_ROOT = Path(__file__).resolve().parent / "web"
DEFAULT_PORT = 8741
MAX_SLOW_SECONDS = 60.0
MAX_BIG_MB = 1024.0
MIB = 1024 * 1024
GZIP_BOMB_MB = 100
DEFAULT_ROBOTS = b"User-agent: *\nDisallow: /private/\n"

CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".htm": "text/html; charset=utf-8",
    ".json": "application/json",
    ".jsonld": "application/ld+json",
    ".txt": "text/plain; charset=utf-8",
    ".xml": "application/xml",
    ".ics": "text/calendar; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
}
DEFAULT_CONTENT_TYPE = "application/octet-stream"


def _verbose() -> bool:
    return os.environ.get("DEMO_WEB_VERBOSE") == "1"


def content_type_for(path: Path) -> str:
    return CONTENT_TYPES.get(path.suffix.lower(), DEFAULT_CONTENT_TYPE)


def resolve_under(root: Path, url_path: str) -> Path | None:
    """Map a (percent-encoded) URL path to a file system path inside ``root``, or None if unsafe.

    ``root`` must already be resolved. Dot-segments, dotfiles, NUL bytes and backslashes are
    refused outright; the resolved path (symlinks followed) must still lie inside ``root``.
    """
    decoded = unquote(url_path, errors="strict") if "%" in url_path else url_path
    if "\x00" in decoded or "\\" in decoded:
        return None
    parts = [part for part in decoded.split("/") if part not in ("", ".")]
    if any(part.startswith(".") for part in parts):  # "..", ".git", ".env", ...
        return None
    try:
        real = root.joinpath(*parts).resolve()
    except (OSError, RuntimeError, ValueError):
        return None
    if real != root and not real.is_relative_to(root):
        return None
    return real


def etag_for(data: bytes) -> str:
    return '"' + hashlib.sha1(data).hexdigest() + '"'


def _etag_matches(header: str, etag: str) -> bool:
    """Weak comparison, as RFC 9110 requires for If-None-Match."""
    wanted = etag.removeprefix("W/")
    for token in header.split(","):
        token = token.strip()
        if token == "*" or token.removeprefix("W/") == wanted:
            return True
    return False


def _not_modified_since(header: str, mtime: float) -> bool:
    try:
        since = parsedate_to_datetime(header)
    except (TypeError, ValueError, IndexError):
        return False
    if since is None or since.tzinfo is None:
        return False
    return int(mtime) <= since.timestamp()


# --- bodies of the /_test/ routes -------------------------------------------------------------

_gzip_bomb_lock = threading.Lock()
_gzip_bomb_body: bytes | None = None


def gzip_bomb_body() -> bytes:
    """A gzip stream of GZIP_BOMB_MB MiB of zero bytes (about 100 KB), built once and cached."""
    global _gzip_bomb_body
    with _gzip_bomb_lock:
        if _gzip_bomb_body is None:
            compressor = zlib.compressobj(9, zlib.DEFLATED, 31)  # wbits 31: gzip container
            zeros = bytes(MIB)
            parts = [compressor.compress(zeros) for _ in range(GZIP_BOMB_MB)]
            parts.append(compressor.flush())
            _gzip_bomb_body = b"".join(parts)
        return _gzip_bomb_body


_BIG_HEAD = b'<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>Big page</title></head><body>\n'
_BIG_TAIL = b"</body></html>\n"
_BIG_LINE = b"<p>Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor.</p>\n"
_BIG_BLOCK = _BIG_LINE * (65536 // len(_BIG_LINE))


def big_body_length(mb: float) -> int:
    return max(int(mb * MIB), len(_BIG_HEAD) + len(_BIG_TAIL))


def big_body_chunks(total: int) -> Iterator[bytes]:
    """Exactly ``total`` bytes of HTML, in chunks of about 64 KiB."""
    yield _BIG_HEAD
    remaining = total - len(_BIG_HEAD) - len(_BIG_TAIL)
    while remaining >= len(_BIG_BLOCK):
        yield _BIG_BLOCK
        remaining -= len(_BIG_BLOCK)
    if remaining:
        yield _BIG_LINE * (remaining // len(_BIG_LINE)) + b" " * (remaining % len(_BIG_LINE))
    yield _BIG_TAIL


LATIN1_PAGE = """<!DOCTYPE html>
<html lang="fr">
<head>
<meta charset="utf-8">
<title>Café Nouveau – Concerts</title>
<script type="application/ld+json">
{"@context": "https://schema.org", "@type": "MusicEvent", "name": "Soirée jazz au Café Nouveau",
 "startDate": "2026-03-14T20:00:00-07:00",
 "location": {"@type": "MusicVenue", "name": "Café Nouveau",
   "address": {"@type": "PostalAddress", "streetAddress": "1 Test Street", "addressLocality": "Seattle",
               "addressRegion": "WA", "addressCountry": "US"}},
 "performer": [{"@type": "MusicGroup", "name": "Les Négociants"}],
 "offers": {"@type": "Offer", "price": "15", "priceCurrency": "EUR"}}
</script>
</head>
<body>
<h1>Café Nouveau</h1>
<p>Ce soir : “Soirée jazz” avec Les Négociants – entrée 15 €. Test page: these bytes are
windows-1252 although the meta tag says utf-8.</p>
</body>
</html>
"""
LATIN1_BODY = LATIN1_PAGE.encode("cp1252")

BROKEN_JSONLD_BODY = b"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Broken JSON-LD Night - The Test Room</title>
<script type="application/ld+json">
{
  "@context": "https://schema.org",
  "@type": "MusicEvent",
  "name": "Broken JSON-LD Night",
  "startDate": "2026-04-01T20:00:00-07:00",
  "location": {
    "@type": "MusicVenue",
    "name": "The Test Room",
    "address": "1 Test Street, Seattle, WA 98101",
  },
  "performer": [{"@type": "MusicGroup", "name": "The Trailing Commas"},],
}
</script>
</head>
<body>
<h1>Broken JSON-LD Night</h1>
<p>April 1, 2026, 8pm at The Test Room. Test page: its JSON-LD has trailing commas.</p>
</body>
</html>
"""


def _small_page(title: str, text: str) -> bytes:
    return (
        '<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>'
        + title
        + "</title></head><body><h1>"
        + title
        + "</h1><p>"
        + text
        + "</p></body></html>\n"
    ).encode()


# --- the request handler ------------------------------------------------------------------------


class DemoRequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "MyStageDemoWeb/1.0"
    sys_version = ""
    timeout = 120  # idle keep-alive connections are closed after this
    server: DemoHTTPServer

    def do_GET(self) -> None:
        self._dispatch()

    def do_HEAD(self) -> None:
        self._dispatch()

    def version_string(self) -> str:
        return self.server_version

    def log_message(self, format: str, *args: object) -> None:
        if _verbose():
            super().log_message(format, *args)

    # -- plumbing

    def _dispatch(self) -> None:
        try:
            target = urlsplit(self.path)
            path = target.path
            if not path.startswith("/"):
                self._send(400, _small_page("400 Bad Request", "Bad request target."))
                return
            if path.startswith("/_test/"):
                self._test_route(path, parse_qs(target.query))
            else:
                self._serve_static(path, target.query)
        except (BrokenPipeError, ConnectionResetError, TimeoutError):
            self.close_connection = True

    def _send(
        self,
        status: int,
        body: bytes = b"",
        content_type: str = "text/html; charset=utf-8",
        headers: dict[str, str] | None = None,
    ) -> None:
        self.send_response(status)
        no_body = status in (204, 304)
        if not no_body:
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if body and not no_body and self.command != "HEAD":
            self.wfile.write(body)

    def _not_found(self) -> None:
        self._send(404, _small_page("404 Not Found", "Nothing here."))

    # -- static files

    def _serve_static(self, url_path: str, query: str = "") -> None:
        root = self.server.root
        try:
            real = resolve_under(root, url_path)
        except UnicodeDecodeError:
            real = None
        if real is None:
            self._not_found()
            return
        if real.is_dir():
            if not url_path.endswith("/"):
                location = url_path + "/" + (f"?{query}" if query else "")
                self._send(
                    301,
                    _small_page("301 Moved Permanently", "See " + location),
                    headers={"Location": location},
                )
                return
            real = real / "index.html"
        if not real.is_file():
            if url_path == "/robots.txt":
                self._send(200, DEFAULT_ROBOTS, "text/plain; charset=utf-8")
            else:
                self._not_found()
            return
        data = real.read_bytes()
        mtime = real.stat().st_mtime
        etag = etag_for(data)
        validators = {"ETag": etag, "Last-Modified": formatdate(mtime, usegmt=True)}
        if_none_match = self.headers.get("If-None-Match")
        if_modified_since = self.headers.get("If-Modified-Since")
        if if_none_match is not None:
            not_modified = _etag_matches(if_none_match, etag)
        else:
            not_modified = if_modified_since is not None and _not_modified_since(if_modified_since, mtime)
        if not_modified:
            self._send(304, headers=validators)
        else:
            self._send(200, data, content_type_for(real), headers=validators)

    # -- /_test/ routes

    def _test_route(self, path: str, query: dict[str, list[str]]) -> None:
        def arg(name: str, default: str | None = None) -> str | None:
            values = query.get(name)
            return values[0] if values else default

        if path == "/_test/slow":
            self._slow(arg("seconds", "1"), arg("path"))
        elif m := re.fullmatch(r"/_test/status/(\d{3})", path):
            self._status(int(m.group(1)))
        elif path == "/_test/redirect":
            self._redirect(arg("to"), arg("code", "302"))
        elif m := re.fullmatch(r"/_test/redirect-loop(?:/(\d{1,9}))?/?", path):
            n = int(m.group(1) or 0)
            self._send(
                302,
                _small_page("302 Found", "Round and round."),
                headers={"Location": f"/_test/redirect-loop/{n + 1}"},
            )
        elif path == "/_test/big":
            self._big(arg("mb", "1"))
        elif path == "/_test/gzip-bomb":
            self._send(
                200, gzip_bomb_body(), headers={"Content-Encoding": "gzip", "Cache-Control": "no-store"}
            )
        elif path == "/_test/latin1":
            self._send(200, LATIN1_BODY, "text/html")  # no charset: only the (lying) meta tag says one
        elif path == "/_test/broken-jsonld":
            self._send(200, BROKEN_JSONLD_BODY)
        elif path == "/_test/echo-headers":
            echoed: dict[str, str] = {}
            for name, value in self.headers.items():
                key = name.lower()
                echoed[key] = f"{echoed[key]}, {value}" if key in echoed else value
            body = json.dumps(echoed, indent=2, sort_keys=True).encode()
            self._send(200, body, "application/json", headers={"Cache-Control": "no-store"})
        else:
            self._not_found()

    def _slow(self, seconds_arg: str | None, path: str | None) -> None:
        try:
            seconds = float(seconds_arg or "1")
        except ValueError:
            self._send(400, _small_page("400 Bad Request", "seconds must be a number."))
            return
        seconds = min(max(seconds, 0.0), MAX_SLOW_SECONDS)
        time.sleep(seconds)
        if path:
            target = urlsplit(path)
            self._serve_static(quote(target.path), target.query)
        else:
            self._send(200, _small_page("Slow page", f"Served after {seconds:g} seconds."))

    def _status(self, code: int) -> None:
        if not 200 <= code <= 599:
            self._send(400, _small_page("400 Bad Request", "Status must be between 200 and 599."))
            return
        try:
            phrase = HTTPStatus(code).phrase
        except ValueError:
            phrase = "Status"
        headers = {"Retry-After": "1"} if code in (429, 503) else {}
        self._send(code, _small_page(f"{code} {phrase}", "Test status page."), headers=headers)

    def _redirect(self, to: str | None, code_arg: str | None) -> None:
        code = int(code_arg) if code_arg and code_arg.isdigit() else 0
        if not to or code not in (301, 302, 303, 307, 308):
            self._send(400, _small_page("400 Bad Request", "Need ?to=URL (and code in 301-308)."))
            return
        self._send(code, _small_page(f"{code} Redirect", "Moved."), headers={"Location": to})

    def _big(self, mb_arg: str | None) -> None:
        try:
            mb = float(mb_arg or "1")
        except ValueError:
            self._send(400, _small_page("400 Bad Request", "mb must be a number."))
            return
        total = big_body_length(min(max(mb, 0.0), MAX_BIG_MB))
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(total))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        if self.command == "HEAD":
            return
        for chunk in big_body_chunks(total):
            self.wfile.write(chunk)


class DemoHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def __init__(self, address: tuple[str, int], root: Path) -> None:
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        self.root = root
        super().__init__(address, DemoRequestHandler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        exc = sys.exc_info()[1]
        if isinstance(exc, ConnectionError | TimeoutError):
            return  # clients hanging up (timeouts in fetcher tests) are normal here
        super().handle_error(request, client_address)


class RunningServer:
    """A DemoHTTPServer running in a daemon thread. Use ``.stop()`` or a ``with`` block."""

    def __init__(self, httpd: DemoHTTPServer, thread: threading.Thread) -> None:
        self.httpd = httpd
        self.thread = thread
        host, port = httpd.server_address[:2]
        self.host = str(host)
        self.port = int(port)
        url_host = f"[{self.host}]" if ":" in self.host else self.host
        self.base_url = f"http://{url_host}:{self.port}"

    @property
    def root(self) -> Path:
        return self.httpd.root

    def url(self, path: str = "/") -> str:
        """Full URL of a server path such as ``/fremont-abbey/events/index.html``."""
        return self.base_url + (path if path.startswith("/") else "/" + path)

    def stop(self) -> None:
        if self.thread.is_alive():
            self.httpd.shutdown()
            self.thread.join(timeout=5)
        self.httpd.server_close()

    def __enter__(self) -> RunningServer:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def __repr__(self) -> str:
        return f"<RunningServer {self.base_url} root={self.root}>"


def start_server(root: Path | str = DEFAULT_ROOT, host: str = "127.0.0.1", port: int = 0) -> RunningServer:
    """Serve ``root`` on ``host:port`` (0: any free port) from a daemon thread and return at once."""
    root_path = Path(root).resolve()
    if not root_path.is_dir():
        raise NotADirectoryError(f"web root is not a directory: {root_path}")
    httpd = DemoHTTPServer((host, port), root_path)
    thread = threading.Thread(
        target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, name="demo-webserver", daemon=True
    )
    thread.start()
    return RunningServer(httpd, thread)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Serve the demo web tree (and the /_test/ routes).")
    parser.add_argument(
        "--root", type=Path, default=DEFAULT_ROOT, help="directory to serve (default: demo/web)"
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default: 127.0.0.1)")
    parser.add_argument(
        "--port", type=int, default=DEFAULT_PORT, help=f"port (default: {DEFAULT_PORT}; 0: any)"
    )
    args = parser.parse_args(argv)
    try:
        server = start_server(args.root, args.host, args.port)
    except (OSError, NotADirectoryError) as exc:
        print(f"cannot start: {exc}", file=sys.stderr)
        return 1
    print(f"Serving {server.root} at {server.base_url}/ (Ctrl-C to stop)", flush=True)
    try:
        while server.thread.is_alive():
            server.thread.join(timeout=1)
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
