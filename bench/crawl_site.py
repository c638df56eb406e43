"""The crawl benchmark's site: generated interlinked pages, served from memory on 127.0.0.1.

`build_site(pages)` makes `pages` HTML pages ("/" and "/page/1" … "/page/N-1"), each with about ten
links: the next page (so every page is reachable from "/"), nine others chosen with a fixed seed, in
root-relative, relative and absolute-with-fragment forms, and on every fifth page one link to another
host (both crawlers must leave it alone). `robots.txt` allows everything.

The server is aiohttp's low-level server answering from a dict, run in its own process
(`python bench/crawl_site.py serve --pages N` prints `PORT <n>` once listening), so it costs as
little CPU as we know how to make it cost. `measure_capacity` hits it with a bare aiohttp client.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import time

ROBOTS = b"User-agent: *\nAllow: /\n"
WORDS = (
    "stage venue artist tour night doors ticket encore setlist support headliner room city "
    "sound bar jazz rock folk band crowd floor balcony festival"
).split()


def page_path(index: int) -> str:
    return "/" if index == 0 else f"/page/{index}"


def build_site(pages: int, *, links_per_page: int = 10, seed: int = 7) -> dict[str, bytes]:
    """Path -> HTML body for `pages` pages, plus /robots.txt."""
    rng = random.Random(seed)
    site: dict[str, bytes] = {"/robots.txt": ROBOTS}
    for index in range(pages):
        targets = [(index + 1) % pages]
        while len(targets) < links_per_page:
            other = rng.randrange(pages)
            if other != index and other not in targets:
                targets.append(other)
        links = []
        for n, target in enumerate(targets):
            path = page_path(target)
            if n % 3 == 1 and target != 0 and index != 0:
                href = f"{target}"  # relative to /page/
            elif n % 3 == 2:
                href = f"{path}#details"
            else:
                href = path
            links.append(f'<li><a href="{href}">Show {target}: {" ".join(rng.sample(WORDS, 3))}</a></li>')
        if index % 5 == 0:
            links.append(f'<li><a href="https://elsewhere.example/show/{index}">Elsewhere</a></li>')
        paragraphs = "".join(f"<p>{' '.join(rng.choices(WORDS, k=60))}.</p>\n" for _ in range(3))
        html = (
            '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            f"<title>Show {index}</title>"
            '<link rel="stylesheet" href="/static/site.css"></head>\n<body>\n'
            f'<header><nav><a href="/">Home</a></nav><h1>Show {index}</h1></header>\n'
            f"<main>\n{paragraphs}<h2>More shows</h2>\n<ul>\n" + "\n".join(links) + "\n</ul>\n</main>\n"
            "<footer><p>Generated for the crawl benchmark.</p></footer>\n</body></html>\n"
        )
        site[page_path(index)] = html.encode()
    return site


async def _serve(pages: int, host: str, port: int) -> None:
    from aiohttp import web

    site = build_site(pages)
    html_headers = {"Content-Type": "text/html; charset=utf-8"}
    text_headers = {"Content-Type": "text/plain; charset=utf-8"}

    async def handler(request: web.BaseRequest) -> web.Response:
        body = site.get(request.path)
        if body is None:
            return web.Response(status=404, body=b"not found", headers=text_headers)
        return web.Response(
            body=body, headers=text_headers if request.path.endswith(".txt") else html_headers
        )

    server = web.Server(handler, access_log=None)
    loop = asyncio.get_running_loop()
    listener = await loop.create_server(server, host, port, backlog=1024, reuse_address=True)
    bound = listener.sockets[0].getsockname()[1]
    print(f"PORT {bound}", flush=True)
    # Stop when the parent closes our stdin (or dies): no orphan servers.
    await loop.run_in_executor(None, sys.stdin.read)
    listener.close()


async def measure_capacity(base_url: str, pages: int, *, concurrency: int, seconds: float = 2.0) -> float:
    """Requests per second the server answers to a bare aiohttp client (no parsing, no rules)."""
    import aiohttp

    paths = [page_path(i) for i in range(pages)]
    done = 0
    deadline = time.perf_counter() + seconds
    connector = aiohttp.TCPConnector(limit=concurrency, limit_per_host=concurrency)
    async with aiohttp.ClientSession(connector=connector) as session:

        async def worker(offset: int) -> None:
            nonlocal done
            i = offset
            while time.perf_counter() < deadline:
                async with session.get(base_url + paths[i % pages]) as response:
                    await response.read()
                done += 1
                i += concurrency

        started = time.perf_counter()
        await asyncio.gather(*(worker(n) for n in range(concurrency)))
        return done / (time.perf_counter() - started)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("command", choices=["serve"])
    parser.add_argument("--pages", type=int, default=5000)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args(argv)
    asyncio.run(_serve(args.pages, args.host, args.port))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
