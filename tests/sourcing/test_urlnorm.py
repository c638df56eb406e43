import pytest

from sourcing.urlnorm import normalize_url, url_hash


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("HTTP://Example.COM/Events?utm_source=x&id=3#top", "http://example.com/Events?id=3"),
        ("https://example.com:443/a", "https://example.com/a"),
        ("http://example.com:8080", "http://example.com:8080/"),
        ("https://example.com/a?fbclid=abc&gclid=1", "https://example.com/a"),
        ("https://example.com/caf%C3%A9", "https://example.com/caf%C3%A9"),
        ("https://example.com/café", "https://example.com/caf%C3%A9"),
        ("  https://example.com./x  ", "https://example.com/x"),
    ],
)
def test_normalize_url(raw, expected):
    assert normalize_url(raw) == expected


def test_same_page_same_hash():
    assert url_hash("https://EXAMPLE.com/x#a") == url_hash("https://example.com/x?utm_medium=y")


def test_api_keys_are_redacted_for_logs():
    from sourcing.urlnorm import redact_url

    assert (
        redact_url("https://app.ticketmaster.com/discovery/v2/events.json?apikey=SECRET&size=20")
        == "https://app.ticketmaster.com/discovery/v2/events.json?apikey=REDACTED&size=20"
    )
    assert redact_url("https://venue.example/events") == "https://venue.example/events"
