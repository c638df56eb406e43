"""robots.txt rules (pure: no Django import), on the standard library's parser.

Conventions (as the major crawlers apply them): a robots.txt that does not exist (4xx) allows
everything; one we could not read (5xx, network) is a reason to wait and try later, not to crawl.
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
        delay = self.parser.crawl_delay(_agent_token(user_agent))
        return float(delay) if delay is not None else None


def _agent_token(user_agent: str) -> str:
    # "MyStageBot/0.1 (+https://…)" is matched by its product token, as robots.txt groups name it.
    return user_agent.split("/", 1)[0].split(" ", 1)[0] or "*"


def parse_robots(text: str) -> RobotsRules:
    parser = RobotFileParser()
    parser.parse(text.splitlines())
    return RobotsRules(text=text, parser=parser)


ALLOW_ALL = parse_robots("")


def robots_url(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/robots.txt", "", ""))
