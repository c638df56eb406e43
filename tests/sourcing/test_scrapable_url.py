"""The one check of whether a URL given to us may be scraped (sourcing.urlnorm.check_scrapable_url):
pure, no database; the API, import_sources, import_sources_csv and scrape_now all use it."""

from __future__ import annotations

import pytest

from sourcing.urlnorm import UnacceptableUrl, check_scrapable_url


@pytest.mark.parametrize(
    ("url", "normalised"),
    [
        ("https://www.neumos.com/events?utm_source=x", "https://www.neumos.com/events"),
        ("HTTP://Example.ORG:80/a b".replace(" ", "%20"), "http://example.org/a%20b"),
        ("https://example.org:8443/", "https://example.org:8443/"),
        ("https://bücher.example/", "https://bücher.example/"),
        ("http://93.184.215.14/page", "http://93.184.215.14/page"),
        ("  https://example.org/x  ", "https://example.org/x"),
    ],
)
def test_public_web_urls_pass_normalised(url, normalised):
    assert check_scrapable_url(url) == normalised


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("", "empty"),
        ("ftp://example.org/", "not ftp:"),
        ("file:///etc/passwd", "not file:"),
        ("javascript:alert(1)", "not javascript:"),
        ("example.org/events", "without a scheme"),
        ("http://10.0.0.1/x", "private"),
        ("http://127.0.0.1:8000/", "private, loopback"),
        ("http://169.254.169.254/latest/meta-data/", "link-local"),
        ("http://100.64.0.1/", "private"),
        ("http://0.0.0.0/", "private"),
        ("http://[::1]:8771/x", "IPv6"),
        ("http://[::ffff:127.0.0.1]/", "IPv6"),
        ("http://[fe80::1%25eth0]/", "IPv6"),
        ("http://[::1/", "Not a valid URL"),
        ("http://example.org:99999/", "Not a valid URL"),
        ("http://example.org:abc/", "Not a valid URL"),
        ("http://example.org:0/", "Port 0"),
        ("http://example.org:25/", "Port 25"),
        ("http://example.org:22/", "Port 22"),
        ("http://user:pw@example.org/", "user name or password"),
        ("http://user@example.org/", "user name or password"),
        ("http://example.org@10.0.0.1/", "user name or password"),
        ("http://2130706433/", "unusual notation"),
        ("http://0x7f.0.0.1/", "unusual notation"),
        ("http://127.1/", "unusual notation"),
        ("http://localhost:8000/", "not a public host name"),
        ("http://printer.local/", "not a public host name"),
        ("http://metadata.google.internal/", "not a public host name"),
        ("http://intranet/", "not a public host name"),
        ("http://exa mple.org/", "spaces"),
        ("http://example.org/\x00", "control characters"),
        ("http://-bad-.example/", "not a valid host name"),
        ("http://" + "a" * 64 + ".example/", "not a valid host name"),
        ("http:///path-only", "no host"),
        ("https://example.org/" + "x" * 2000, "longer than 2000"),
    ],
)
def test_unacceptable_urls_say_why(url, reason):
    with pytest.raises(UnacceptableUrl, match=reason.replace("(", r"\(")):
        check_scrapable_url(url)


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("http://127.0.0.1:8741/demo/", ["127.0.0.1"]),
        ("http://10.1.2.3/x", ["10.0.0.0/8"]),
        ("http://localhost:8000/", ["localhost"]),
        ("http://intranet/", ["intranet"]),
    ],
)
def test_allowed_private_hosts_pass(url, allowed):
    assert check_scrapable_url(url, allowed_private=allowed).startswith("http://")


def test_allowing_one_private_host_allows_no_other():
    with pytest.raises(UnacceptableUrl, match="private"):
        check_scrapable_url("http://10.0.0.1/", allowed_private=["127.0.0.1"])
    with pytest.raises(UnacceptableUrl, match="IPv6"):
        check_scrapable_url("http://[::1]/", allowed_private=["::1"])


def test_it_is_an_error_people_can_catch_as_a_value_error():
    assert issubclass(UnacceptableUrl, ValueError)
