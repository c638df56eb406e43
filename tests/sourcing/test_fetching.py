"""The fetcher against real HTTP on 127.0.0.1: each safety rule and failure mode."""

from __future__ import annotations

import datetime as dt

import pytest

from core.retry import MAX_WAIT_SECONDS
from sourcing.fetching import FetchError, FetchPolicy, FetchResult, PinnedClient, check_destination, fetch
from sourcing.fetchrules import check_status, decode_body, parse_retry_after

LOCAL = FetchPolicy(allowed_private=("127.0.0.1",), timeout_seconds=3, max_bytes=2 * 1024 * 1024)


@pytest.fixture
def client():
    with PinnedClient() as c:
        yield c


def test_fetches_a_page_with_validators(demo_web, client):
    result = fetch(demo_web.url("/fremont-abbey/events/index.html"), client=client, policy=LOCAL)
    assert result.status_code == 200
    assert b"application/ld+json" in result.body
    assert result.headers["etag"]
    again = fetch(
        demo_web.url("/fremont-abbey/events/index.html"),
        client=client,
        policy=LOCAL,
        etag=result.headers["etag"],
    )
    assert again.not_modified
    assert again.status_code == 304


def test_loopback_is_refused_unless_allowed(demo_web, client):
    with pytest.raises(FetchError, match="non-public address 127.0.0.1") as info:
        fetch(demo_web.url("/"), client=client, policy=FetchPolicy())
    assert not info.value.retryable


@pytest.mark.parametrize(
    "address",
    [
        "10.0.0.5",
        "192.168.1.1",
        "172.16.0.1",
        "169.254.169.254",
        "::1",
        "fe80::1",
        "0.0.0.0",
        "100.64.0.1",
        "::ffff:127.0.0.1",
    ],
)
def test_private_and_link_local_addresses_are_refused_after_resolution(address):
    with pytest.raises(FetchError, match="non-public"):
        check_destination("http://innocent.example/", FetchPolicy(), resolver=lambda host: [address])


def test_public_address_passes_the_guard():
    check_destination("https://venue.example/", FetchPolicy(), resolver=lambda host: ["93.184.215.14"])


def test_redirect_to_a_private_address_is_refused(demo_web, client):
    # Allowed: 127.0.0.1 (the demo server). The redirect goes to a name that resolves to metadata IP.
    policy = FetchPolicy(allowed_private=("127.0.0.1",), timeout_seconds=3)
    resolver_calls = []

    def resolver(host):
        resolver_calls.append(host)
        return ["127.0.0.1"] if host == "127.0.0.1" else ["169.254.169.254"]

    url = demo_web.url("/_test/redirect?to=http://metadata.internal/latest/")
    with pytest.raises(FetchError, match="169.254.169.254"):
        fetch(url, client=client, policy=policy, resolver=resolver)
    assert resolver_calls == ["metadata.internal"]  # an address is not looked up


def test_non_http_schemes_are_refused():
    with pytest.raises(FetchError, match="Only http and https"):
        check_destination("file:///etc/passwd", FetchPolicy())


def test_redirect_loop_is_caught(demo_web, client):
    with pytest.raises(FetchError, match="redirects|loop"):
        fetch(demo_web.url("/_test/redirect-loop/0"), client=client, policy=LOCAL)


def test_timeout_is_retryable(demo_web, client):
    policy = FetchPolicy(allowed_private=("127.0.0.1",), timeout_seconds=0.5)
    with pytest.raises(FetchError, match="Timed out") as info:
        fetch(demo_web.url("/_test/slow?seconds=3"), client=client, policy=policy)
    assert info.value.retryable


def test_429_is_retryable_with_retry_after(demo_web, client):
    with pytest.raises(FetchError, match="429") as info:
        fetch(demo_web.url("/_test/status/429"), client=client, policy=LOCAL)
    assert info.value.retryable
    assert info.value.retry_after == 1


@pytest.mark.parametrize(
    ("code", "retryable"), [(404, False), (410, False), (403, False), (500, True), (503, True)]
)
def test_http_errors_say_whether_to_retry(demo_web, client, code, retryable):
    with pytest.raises(FetchError, match=f"HTTP {code}") as info:
        fetch(demo_web.url(f"/_test/status/{code}"), client=client, policy=LOCAL)
    assert info.value.retryable is retryable
    assert info.value.status_code == code


def test_oversize_body_stops_at_the_limit(demo_web, client):
    with pytest.raises(FetchError, match="limit of 2,097,152"):
        fetch(demo_web.url("/_test/big?mb=5"), client=client, policy=LOCAL)


def test_gzip_bomb_stops_after_decompression(demo_web, client):
    with pytest.raises(FetchError, match="after decompression"):
        fetch(demo_web.url("/_test/gzip-bomb"), client=client, policy=LOCAL)


def test_page_that_lies_about_its_encoding_is_decoded(demo_web, client):
    result = fetch(demo_web.url("/_test/latin1"), client=client, policy=LOCAL)
    text, encoding = decode_body(result.body, result.content_type)
    assert "Café Nouveau" in text
    assert encoding == "cp1252"


@pytest.mark.parametrize(
    ("header", "seconds"),
    [
        ("inf", MAX_WAIT_SECONDS),
        ("9" * 5000, MAX_WAIT_SECONDS),
        ("1e400", MAX_WAIT_SECONDS),
        ("Fri, 31 Dec 9999 23:59:59 GMT", MAX_WAIT_SECONDS),
        ("nan", 0),
        ("120", 120),
    ],
)
def test_an_absurd_retry_after_waits_a_day_at_most(header, seconds):
    assert parse_retry_after(header) == seconds
    result = FetchResult(
        url="https://venue.example/",
        final_url="https://venue.example/",
        status_code=503,
        headers={"retry-after": header},
        body=b"",
        elapsed_ms=1,
    )
    with pytest.raises(FetchError) as info:
        check_status(result)
    retry_after = info.value.retry_after
    assert retry_after is not None
    assert retry_after == seconds
    # What the pipeline does with it (sourcing.services._record_fetch_failure) no longer overflows.
    assert dt.datetime.now(dt.UTC) + dt.timedelta(seconds=retry_after)


def test_a_retry_after_beyond_the_calendar_is_no_retry_after():
    assert parse_retry_after("Fri, 31 Dec 99999 23:59:59 GMT") is None


@pytest.mark.parametrize(
    ("body", "content_type", "text"),
    [
        (b"User-agent: *\nDisallow: /", "text/plain; charset=undefined", "User-agent: *\nDisallow: /"),
        (b"Disallow: /caf\xe9", "text/plain; charset=rot13", "Disallow: /café"),
        (b"Disallow: /a\xff", "text/plain; charset=utf-16", "Disallow: /aÿ"),  # odd length: not UTF-16
        # Bytes windows-1252 leaves undefined read as the C1 controls, as browsers (WHATWG) read them.
        (b"\x81\x8d\x8f", "text/plain; charset=no-such-charset", "\x81\x8d\x8f"),
    ],
)
def test_undecodable_bodies_and_bogus_charsets_are_decoded_leniently(body, content_type, text):
    assert decode_body(body, content_type)[0] == text
