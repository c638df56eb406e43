"""A hostile web on 127.0.0.1: every way a site has been seen to hold, crash or fool a fetcher, each on
its own path or host name (one server answers every `*.hostile.test` name by its Host header; reach it
with SCRAPE_HOST_OVERRIDES="*.hostile.test=127.0.0.1").

Hosts (robots.txt behaviours, since robots.txt is per host):
    ok.               robots.txt allows everything; the pages below
    crawl-delay-huge. Crawl-delay: 99999999999 (until the year 5195, unclamped)
    crawl-delay-400.  Crawl-delay of 400 digits;  crawl-delay-5000. of 5,000 digits
    charset.          robots.txt served as "charset=undefined", with bytes that are no charset's, and
                      Disallow: /private/
    robots-5xx.       robots.txt answers 503: nothing may be fetched there (RFC 9309)
    robots-drip.      robots.txt drips its headers, a byte a second
    changing.         robots.txt says whatever `HostileSite.robots["changing"]` holds now

Paths (on any host whose robots.txt lets us in):
    /events/                 a calendar with two schema.org MusicEvents (JSON-LD): good data
    /retry-after-inf         429, Retry-After: inf
    /retry-after-digits      429, Retry-After of 5,000 digits
    /retry-after-9999        503, Retry-After: an HTTP date in the year 9999
    /gzip-bomb, /deflate-bomb, /brotli-bomb
                             64 MiB of zeros, compressed to ~64 KB (gzip, zlib deflate, brotli)
    /drip-body               headers at once, then the body a byte a second, for ever
    /drip-headers            the status line, then the headers a byte a second, for ever
    /redirect?to=URL         302 to URL (the guard's embedded-IPv4 forms: http://[64:ff9b::7f00:1]/)
    /private/                a page robots.txt of charset. forbids
"""

from __future__ import annotations

import functools
import json
import threading
import time
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import brotli

DOMAIN = "hostile.test"
OVERRIDE = f"*.{DOMAIN}=127.0.0.1"
BOMB_BYTES = 64 * 1024 * 1024
DRIP_SECONDS_MAX = 600  # a dripping answer stops on its own after this (the client gives up long before)

EVENTS_PAGE = """<!doctype html><html><head><title>Hostile Hall</title>
<script type="application/ld+json">{events}</script></head><body><h1>Hostile Hall</h1></body></html>"""


def events_json(host: str) -> str:
    venue = {
        "@type": "MusicVenue",
        "name": "Hostile Hall",
        "address": {
            "@type": "PostalAddress",
            "streetAddress": "1 Hostile Way",
            "addressLocality": "Seattle",
            "addressRegion": "WA",
            "postalCode": "98101",
            "addressCountry": "US",
        },
    }
    events = [
        {
            "@context": "https://schema.org",
            "@type": "MusicEvent",
            "name": f"{band} at Hostile Hall",
            "startDate": f"2031-05-{day:02d}T20:00:00-07:00",
            "location": venue,
            "performer": [{"@type": "MusicGroup", "name": band}],
            "url": f"http://{host}/events/{day}",
        }
        for band, day in (("The Drips", 1), ("Gzip Bomb Orchestra", 2))
    ]
    return json.dumps(events)


@functools.cache
def bombs() -> dict[str, tuple[str, bytes]]:
    """Content-Encoding and body of each bomb: BOMB_BYTES of zeros, compressed (built once)."""
    zeros = b"\0" * (1 << 20)
    out = {}
    for name, coding, wbits in (("gzip", "gzip", 31), ("deflate", "deflate", 15)):
        packer = zlib.compressobj(6, zlib.DEFLATED, wbits)
        out[name] = (
            coding,
            b"".join(packer.compress(zeros) for _ in range(BOMB_BYTES >> 20)) + packer.flush(),
        )
    packer_br = brotli.Compressor(quality=5)
    out["brotli"] = (
        "br",
        b"".join(packer_br.process(zeros) for _ in range(BOMB_BYTES >> 20)) + packer_br.finish(),
    )
    return out


class HostileSite:
    """The server, in a thread of this process; `url(host, path)` names a page on it."""

    def __init__(self) -> None:
        self.robots = {"changing": "User-agent: *\nCrawl-delay: 99999999999\n"}
        self.hits: list[tuple[str, str]] = []  # (host label, path)
        self.drips_ended: list[str] = []  # paths whose client hung up on a drip
        site = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                host = (self.headers.get("Host") or "").split(":")[0]
                label = host.removesuffix("." + DOMAIN) if host.endswith(DOMAIN) else host
                parts = urlsplit(self.path)
                site.hits.append((label, parts.path))
                try:
                    if parts.path == "/robots.txt":
                        site._robots(self, label)
                    else:
                        site._page(self, host, parts.path, parse_qs(parts.query))
                except (BrokenPipeError, ConnectionResetError):
                    if parts.path.startswith("/drip") or label == "robots-drip":
                        site.drips_ended.append(f"{label}{parts.path}")

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> HostileSite:
        bombs()  # built before any client waits for them
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def url(self, label: str, path: str) -> str:
        return f"http://{label}.{DOMAIN}:{self.port}{path}"

    # -- answers

    def _send(self, handler: BaseHTTPRequestHandler, status: int, body: bytes, **headers: str) -> None:
        handler.send_response(status)
        headers.setdefault("Content-Type", "text/html; charset=utf-8")
        for name, value in headers.items():
            handler.send_header(name.replace("_", "-"), value)
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

    def _robots(self, handler: BaseHTTPRequestHandler, label: str) -> None:
        text = {
            "crawl-delay-huge": b"User-agent: *\nCrawl-delay: 99999999999\n",
            "crawl-delay-400": b"User-agent: *\nCrawl-delay: " + b"9" * 400 + b"\n",
            "crawl-delay-5000": b"User-agent: *\nCrawl-delay: " + b"9" * 5000 + b"\n",
            "charset": b"# caf\xe9 \xff\nUser-agent: *\nDisallow: /private/\n\x81\x8d\n",
            "changing": self.robots["changing"].encode(),
        }.get(label, b"User-agent: *\nAllow: /\n")
        if label == "robots-5xx":
            self._send(handler, 503, b"down", Content_Type="text/plain")
        elif label == "robots-drip":
            self._drip(handler, headers=True)
        elif label == "charset":
            self._send(handler, 200, text, Content_Type="text/plain; charset=undefined")
        else:
            self._send(handler, 200, text, Content_Type="text/plain")

    def _page(
        self, handler: BaseHTTPRequestHandler, host: str, path: str, query: dict[str, list[str]]
    ) -> None:
        if path.startswith("/events/") or path == "/private/":
            self._send(handler, 200, EVENTS_PAGE.format(events=events_json(host)).encode())
        elif path == "/retry-after-inf":
            self._send(handler, 429, b"slow down", Retry_After="inf")
        elif path == "/retry-after-digits":
            self._send(handler, 429, b"slow down", Retry_After="9" * 5000)
        elif path == "/retry-after-9999":
            self._send(handler, 503, b"later", Retry_After="Fri, 31 Dec 9999 23:59:59 GMT")
        elif path.endswith("-bomb"):
            coding, body = bombs()[path[1:].removesuffix("-bomb")]
            self._send(handler, 200, body, Content_Encoding=coding)
        elif path == "/drip-body":
            self._drip(handler, headers=False)
        elif path == "/drip-headers":
            self._drip(handler, headers=True)
        elif path == "/redirect":
            handler.send_response(302)
            handler.send_header("Location", query.get("to", ["/"])[0])
            handler.send_header("Content-Length", "0")
            handler.end_headers()
        else:
            self._send(handler, 404, b"not here")

    def _drip(self, handler: BaseHTTPRequestHandler, *, headers: bool) -> None:
        """A byte a second, until the client hangs up (or DRIP_SECONDS_MAX)."""
        out = handler.wfile
        if headers:
            out.write(b"HTTP/1.1 200 OK\r\n")
            endless = b"X-Drip: " + b"a" * DRIP_SECONDS_MAX
        else:
            out.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 1000000\r\n\r\n")
            endless = b"<" + b"p" * DRIP_SECONDS_MAX
        out.flush()
        for byte in endless:
            out.write(bytes([byte]))
            out.flush()
            time.sleep(1)
