"""Where a host is: SCRAPE_HOST_OVERRIDES, and connections pinned to the addresses the guard checked,
through the sync fetcher (httpx) and the crawler (aiohttp and httpx), against a local server."""

from __future__ import annotations

import asyncio
import json
import socket
from typing import Any

import pytest

from sourcing.crawler import AsyncFetcher, CrawlPolicy, HostPolicy
from sourcing.fetching import FetchError, FetchPolicy, PinnedClient, fetch
from sourcing.fetchrules import host_override, parse_host_overrides, resolve_host

OVERRIDES = ("*.venues.test=127.0.0.1",)
LOCAL = FetchPolicy(allowed_private=("127.0.0.1",), timeout_seconds=3, host_overrides=OVERRIDES)


def no_dns(host: str) -> list[str]:
    raise AssertionError(f"the resolver was asked about {host}")


@pytest.fixture
def dns_answers(monkeypatch: pytest.MonkeyPatch) -> dict[str, list[str]]:
    """getaddrinfo lies for the names put here (a DNS rebinding attacker's second answer) and
    records every name it is asked about under "asked"."""
    answers: dict[str, list[str]] = {"asked": []}
    real = socket.getaddrinfo

    def fake(host: Any, *args: Any, **kwargs: Any) -> Any:
        name = host.decode() if isinstance(host, bytes) else str(host)
        answers["asked"].append(name)
        if name in answers:
            port = args[0] if args else kwargs.get("port", 0)
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (answers[name][0], port or 0))]
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", fake)
    return answers


# --- the rules ---------------------------------------------------------------------------------


def test_overrides_match_exact_names_and_suffixes():
    overrides = ("*.venues.test=127.0.0.1", "api.example=10.0.0.7", "api.example=10.0.0.8")
    assert host_override("v00042.venues.test", overrides) == ["127.0.0.1"]
    assert host_override("a.b.venues.test", overrides) == ["127.0.0.1"]
    assert host_override("V1.Venues.Test.", overrides) == ["127.0.0.1"]
    assert host_override("venues.test", overrides) is None  # the wildcard needs a label in front
    assert host_override("evilvenues.test", overrides) is None
    assert host_override("api.example", overrides) == ["10.0.0.7", "10.0.0.8"]
    assert host_override("other.example", overrides) is None


@pytest.mark.parametrize(
    "entry", ["venues.test", "*.venues.test=", "=127.0.0.1", "*.venues.test=localhost", "a.*.test=127.0.0.1"]
)
def test_malformed_overrides_say_what_is_wrong(entry):
    with pytest.raises(ValueError, match="is not 'host=address'"):
        parse_host_overrides((entry,))


def test_resolve_host_order_address_then_override_then_resolver():
    assert resolve_host("127.0.0.1", LOCAL, no_dns) == ["127.0.0.1"]
    assert resolve_host("[::1]", LOCAL, no_dns) == ["::1"]
    assert resolve_host("v1.venues.test", LOCAL, no_dns) == ["127.0.0.1"]
    assert resolve_host("elsewhere.example", LOCAL, lambda host: ["93.184.215.14"]) == ["93.184.215.14"]


def test_an_override_does_not_bypass_the_private_address_guard(demo_web):
    policy = FetchPolicy(timeout_seconds=3, host_overrides=OVERRIDES)  # 127.0.0.1 not allowed
    with PinnedClient() as client, pytest.raises(FetchError, match="non-public address 127.0.0.1"):
        fetch(f"http://v1.venues.test:{demo_web.port}/", client=client, policy=policy, resolver=no_dns)


# --- the sync fetcher (httpx) ------------------------------------------------------------------


def test_sync_fetch_reaches_an_overridden_name_without_dns(demo_web, dns_answers):
    url = f"http://v00042.venues.test:{demo_web.port}/_test/echo-headers"
    with PinnedClient() as client:
        result = fetch(url, client=client, policy=LOCAL, resolver=no_dns)
    assert result.status_code == 200
    # The Host header carries the name, not the address connected to.
    assert json.loads(result.body)["host"] == f"v00042.venues.test:{demo_web.port}"
    assert "v00042.venues.test" not in dns_answers["asked"]


def test_sync_fetch_connects_to_the_checked_address_not_a_second_answer(demo_web, dns_answers):
    # The guard's lookup says 127.0.0.1 (allowed); any later lookup would say 169.254.169.254.
    dns_answers["rebind.test"] = ["169.254.169.254"]
    url = f"http://rebind.test:{demo_web.port}/_test/echo-headers"
    policy = FetchPolicy(allowed_private=("127.0.0.1",), timeout_seconds=3)
    with PinnedClient() as client:
        result = fetch(url, client=client, policy=policy, resolver=lambda host: ["127.0.0.1"])
    assert result.status_code == 200
    assert "rebind.test" not in dns_answers["asked"]


def test_the_pinned_backend_never_connects_a_host_nobody_checked():
    with PinnedClient() as client, pytest.raises(Exception, match="no checked address for unchecked.test"):
        client.get("http://unchecked.test/")


# --- the crawler (aiohttp and httpx) -----------------------------------------------------------


def crawl_one(url: str, policy: FetchPolicy, backend: str, resolver: Any = no_dns) -> Any:
    async def go() -> Any:
        crawl_policy = CrawlPolicy(fetch=policy, host=HostPolicy(max_concurrency=2, min_delay_seconds=0))
        async with AsyncFetcher(crawl_policy, backend=backend, resolver=resolver) as fetcher:
            return [outcome async for outcome in fetcher.fetch_many([url])][0]

    return asyncio.run(go())


@pytest.mark.parametrize("backend", ["aiohttp", "httpx"])
def test_crawler_reaches_an_overridden_name_without_dns(demo_web, dns_answers, backend):
    outcome = crawl_one(f"http://v7.venues.test:{demo_web.port}/_test/echo-headers", LOCAL, backend)
    assert outcome.error is None, outcome.error.reason
    assert json.loads(outcome.result.body)["host"] == f"v7.venues.test:{demo_web.port}"
    assert "v7.venues.test" not in dns_answers["asked"]


@pytest.mark.parametrize("backend", ["aiohttp", "httpx"])
def test_crawler_connects_to_the_checked_address_not_a_second_answer(demo_web, dns_answers, backend):
    dns_answers["rebind.test"] = ["169.254.169.254"]
    policy = FetchPolicy(allowed_private=("127.0.0.1",), timeout_seconds=3)
    outcome = crawl_one(
        f"http://rebind.test:{demo_web.port}/_test/echo-headers", policy, backend, lambda host: ["127.0.0.1"]
    )
    assert outcome.error is None, outcome.error.reason
    assert "rebind.test" not in dns_answers["asked"]
