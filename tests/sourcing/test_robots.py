"""robots.txt as RFC 9309 reads it (sourcing.robots, on Protego), our conventions, and hostile files."""

from __future__ import annotations

import subprocess
import sys

import pytest

from core.retry import MAX_WAIT_SECONDS
from sourcing.robots import parse_robots, rules_for_response

UA = "MyStageBot/0.1 (+https://mystage.example/bot)"
SITE = "https://venue.example"


def allowed(robots: str, path: str, user_agent: str = UA) -> bool:
    return parse_robots(robots).allows(user_agent, SITE + path)


@pytest.mark.parametrize(
    ("robots", "path", "expected"),
    [
        # The longest match wins, wherever it stands (the standard library took the first).
        ("User-agent: *\nDisallow: /\nAllow: /events/", "/events/today", True),
        ("User-agent: *\nDisallow: /\nAllow: /events/", "/about", False),
        ("User-agent: *\nDisallow: /shop\nAllow: /shop/tickets", "/shop/tickets/1", True),
        ("User-agent: *\nAllow: /shop\nDisallow: /shop/basket", "/shop/basket?id=1", False),
        # Allow and Disallow as long as each other: Allow.
        ("User-agent: *\nDisallow: /page\nAllow: /page", "/page", True),
        ("User-agent: *\nAllow: /page\nDisallow: /page", "/page", True),
        # `*` matches any run of characters...
        ("User-agent: *\nDisallow: /*/private/", "/venues/private/x", False),
        ("User-agent: *\nDisallow: /*/private/", "/venues/public/x", True),
        ("User-agent: *\nDisallow: /*?session=", "/events?session=abc", False),
        # ...and `$` anchors the end.
        ("User-agent: *\nDisallow: /*.pdf$", "/files/menu.pdf", False),
        ("User-agent: *\nDisallow: /*.pdf$", "/files/menu.pdf?download=1", True),
        ("User-agent: *\nDisallow: /search$", "/search", False),
        ("User-agent: *\nDisallow: /search$", "/search/venues", True),
        # A wildcard rule is as long as it is written: the longer one wins.
        ("User-agent: *\nDisallow: /events/\nAllow: /events/*.html$", "/events/today.html", True),
        ("User-agent: *\nDisallow: /events/*\nAllow: /events/", "/events/today", False),
        # An empty Disallow allows everything; the robots.txt itself is always allowed.
        ("User-agent: *\nDisallow:", "/anything", True),
        ("User-agent: *\nDisallow: /", "/robots.txt", True),
    ],
)
def test_the_longest_match_wins_with_wildcards(robots, path, expected):
    assert allowed(robots, path) is expected


@pytest.mark.parametrize(
    ("robots", "expected"),
    [
        # Our own group, not `*` (and none of `*`'s rules).
        ("User-agent: *\nDisallow: /\n\nUser-agent: MyStageBot\nDisallow: /x", True),
        ("User-agent: *\nDisallow:\n\nUser-agent: MyStageBot\nDisallow: /", False),
        # Case does not matter.
        ("User-agent: mystagebot\nDisallow: /", False),
        # A group may name several agents.
        ("User-agent: OtherBot\nUser-agent: MyStageBot\nDisallow: /", False),
        # Groups for the same agent are combined.
        (
            "User-agent: MyStageBot\nDisallow: /x\n\nUser-agent: OtherBot\nDisallow:\n\n"
            "User-agent: MyStageBot\nDisallow: /",
            False,
        ),
        # Another bot's group is not ours, even one whose name ends ours.
        ("User-agent: OtherBot\nDisallow: /", True),
        ("User-agent: Bot\nDisallow: /", True),
        # No group for us and no `*`: everything is allowed.
        ("User-agent: OtherBot\nDisallow: /\n\nUser-agent: Bot\nDisallow: /", True),
    ],
)
def test_our_group_is_chosen_by_our_product_token(robots, expected):
    assert allowed(robots, "/page") is expected


def test_crawl_delay_and_request_rate():
    rules = parse_robots("User-agent: *\nCrawl-delay: 2.5\n\nUser-agent: MyStageBot\nRequest-rate: 3/1m\n")
    assert rules.crawl_delay(UA) == 20.0  # our group's: one request per 20 s
    assert rules.crawl_delay("OtherBot/1.0") == 2.5
    assert parse_robots("User-agent: *\nDisallow: /x").crawl_delay(UA) is None


@pytest.mark.parametrize(
    ("robots", "delay"),
    [
        ("User-agent: *\nCrawl-delay: " + "9" * 400, MAX_WAIT_SECONDS),
        ("User-agent: *\nCrawl-delay: " + "9" * 5000, MAX_WAIT_SECONDS),
        ("User-agent: *\nCrawl-delay: 1e400", MAX_WAIT_SECONDS),
        ("User-agent: *\ncrawl delay " + "9" * 400, MAX_WAIT_SECONDS),
        ("User-agent: *\nCrawl-delay: 9999999", MAX_WAIT_SECONDS),
        ("User-agent: *\nRequest-rate: 1/" + "9" * 400, MAX_WAIT_SECONDS),
        ("User-agent: *\nRequest-rate: 1/" + "9" * 5000, None),  # too long to read: ignored
        ("User-agent: *\nCrawl-delay: inf", MAX_WAIT_SECONDS),
        ("User-agent: *\nCrawl-delay: 12 # seconds", 12),
        ("User-agent: *\nCrawl-delay: nan", None),  # not a number: ignored
        ("User-agent: *\nCrawl-delay: soon", None),
        ("User-agent: *\nCrawl-delay: -5", None),
        ("User-agent: *\nCrawl-delay: 1.2.3", None),
    ],
)
def test_absurd_delays_are_clamped_to_a_day_never_raised(robots, delay):
    rules = parse_robots(robots)
    assert rules.crawl_delay(UA) == delay
    assert rules.allows(UA, SITE + "/page")


@pytest.mark.parametrize(
    "robots",
    [
        "\ufeffUser-agent: *\nDisallow: /private",  # a byte order mark
        "User-agent: *\r\nDisallow: /private\r\n",
        "User-agent: *\nDisallow: /private\n\ufffd\ufffd garbage \x00\n",  # undecodable bytes, replaced
        "Disallow: /\nUser-agent: *\nDisallow: /private",  # a rule before any group is ignored
    ],
)
def test_odd_files_are_read_leniently(robots):
    assert not allowed(robots, "/private/x")
    assert allowed(robots, "/public")


@pytest.mark.parametrize(
    ("status", "path", "expected"),
    [(401, "/", False), (403, "/", False), (404, "/", True), (410, "/", True), (200, "/x", False)],
)
def test_our_conventions_for_answers_without_rules(status, path, expected):
    rules = rules_for_response(status, "User-agent: *\nDisallow: /x")
    assert rules.allows(UA, SITE + path) is expected


def test_robots_imports_no_django():
    code = "import sys, sourcing.robots; assert not any(m.startswith('django') for m in sys.modules)"
    subprocess.run([sys.executable, "-c", code], check=True)
