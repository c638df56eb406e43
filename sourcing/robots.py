"""robots.txt rules (pure: no Django import), read as RFC 9309 says, with Protego.

- Our group is the one naming our product token ("MyStageBot", case-insensitive; the most specific
  name wins), else `*`. Within it the longest matching rule wins, Allow over Disallow when they are
  as long; `*` matches any run of characters and a final `$` the end of the URL. (The standard
  library's parser took the first matching rule, and knew neither wildcard.)
- Crawl-delay and Request-rate are not in RFC 9309; we honour both: the delay is the larger of the
  Crawl-delay and Request-rate's interval, at most `core.retry.MAX_WAIT_SECONDS` (a Crawl-delay of 5000
  digits is a day, not an OverflowError or a rule ignored).

Conventions, the same for the pipeline's fetcher and the async crawler (`rules_for_response`): a
robots.txt that does not exist (4xx) allows everything (RFC 9309), except 401 and 403, which we
read as "you may not see our rules" and so disallow everything, as `urllib.robotparser` does (a
site that refuses robots.txt to a bot usually refuses its pages too); one we could not read (5xx,
network) is a reason to wait and try later, not to crawl (the callers raise a retryable error).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

from protego import Protego, RequestRate

from core.retry import MAX_WAIT_SECONDS, clamp_wait

# A Crawl-delay line and its value, as Protego reads the directive ("Crawl-delay: 5", "crawl delay 5").
_CRAWL_DELAY = re.compile(r"(?im)^([ \t]*crawl[- ]delay[ \t]*:?[ \t]*)([^\s#]+)")


@dataclass(frozen=True)
class RobotsRules:
    text: str
    parser: Protego

    def allows(self, user_agent: str, url: str) -> bool:
        return self.parser.can_fetch(url, _agent_token(user_agent))

    def crawl_delay(self, user_agent: str) -> float | None:
        """Seconds between requests the site asks for: Crawl-delay, or Request-rate's interval."""
        token = _agent_token(user_agent)
        delay = self.parser.crawl_delay(token)
        rate = self.parser.request_rate(token)
        from_rate = _interval(rate) if rate is not None else None
        if delay is None and from_rate is None:
            return None
        return clamp_wait(max(delay or 0.0, from_rate or 0.0))


def _agent_token(user_agent: str) -> str:
    # "MyStageBot/0.1 (+https://…)" is matched by its product token, as robots.txt groups name it.
    return user_agent.split("/", 1)[0].split(" ", 1)[0] or "*"


def _interval(rate: RequestRate) -> float:
    # Both are ints of any size: "1/" and 400 digits would overflow a float division.
    if rate.seconds >= MAX_WAIT_SECONDS * rate.requests:
        return MAX_WAIT_SECONDS
    return rate.seconds / rate.requests


def _bounded_crawl_delay(match: re.Match[str]) -> str:
    try:
        value = float(match.group(2))
    except ValueError:  # "soon", "1.2.3": Protego ignores it
        return match.group(0)
    # Protego drops a delay too large for a float (5000 digits, 1e400, inf) as malformed; it means "very
    # slowly", so it is the longest wait we accept.
    return match.group(1) + f"{MAX_WAIT_SECONDS:g}" if value > MAX_WAIT_SECONDS else match.group(0)


def parse_robots(text: str) -> RobotsRules:
    # A byte order mark would hide the first line's directive (the pipeline decodes "utf-8", not "utf-8-sig").
    readable = _CRAWL_DELAY.sub(_bounded_crawl_delay, text.removeprefix("\ufeff"))
    return RobotsRules(text=text, parser=Protego.parse(readable))


ALLOW_ALL = parse_robots("")
DISALLOW_ALL = parse_robots("User-agent: *\nDisallow: /")


def rules_for_response(status_code: int, text: str) -> RobotsRules:
    """The rules a robots.txt answer means; only call it for 2xx and 4xx answers (see above)."""
    if status_code in (401, 403):
        return DISALLOW_ALL
    if 400 <= status_code < 500:
        return ALLOW_ALL
    return parse_robots(text)


def robots_url(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/robots.txt", "", ""))
