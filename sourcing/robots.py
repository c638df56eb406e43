"""robots.txt rules (pure: no Django import), on the standard library's parser.

Conventions, the same for the pipeline's fetcher and the async crawler (`rules_for_response`): a
robots.txt that does not exist (4xx) allows everything (RFC 9309), except 401 and 403, which we
read as "you may not see our rules" and so disallow everything, as `urllib.robotparser` does (a
site that refuses robots.txt to a bot usually refuses its pages too); one we could not read (5xx,
network) is a reason to wait and try later, not to crawl (the callers raise a retryable error).
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit
from urllib.robotparser import RobotFileParser


@dataclass(frozen=True)
class RobotsRules:
    text: str
    parser: RobotFileParser

    def allows(self, user_agent: str, url: str) -> bool:
        return self.parser.can_fetch(_agent_token(user_agent), url)

    def crawl_delay(self, user_agent: str) -> float | None:
        """Seconds between requests the site asks for: Crawl-delay, or Request-rate's interval."""
        token = _agent_token(user_agent)
        delay = self.parser.crawl_delay(token)
        rate = self.parser.request_rate(token)
        from_rate = rate.seconds / rate.requests if rate is not None and rate.requests > 0 else None
        if delay is None and from_rate is None:
            return None
        return max(float(delay or 0.0), from_rate or 0.0)


def _agent_token(user_agent: str) -> str:
    # "MyStageBot/0.1 (+https://…)" is matched by its product token, as robots.txt groups name it.
    return user_agent.split("/", 1)[0].split(" ", 1)[0] or "*"


def parse_robots(text: str) -> RobotsRules:
    parser = RobotFileParser()
    parser.parse(text.splitlines())
    return RobotsRules(text=text, parser=parser)


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
