"""CloudFront standard access logs, one line at a time (docs/CLOUDFRONT.md §10): pure, no Django, no boto3.

A log file is tab-separated text after two kinds of header line: `#Version: 1.0` and `#Fields: date time ...`,
whose names say which value each column holds. Files may name fewer fields or name them in another order
(a newer format, a trimmed test file), so every entry is read through the last `#Fields` line seen. `-` is
an empty value; the user agent (and paths) are percent-encoded, user agents sometimes twice.

`LogParser.parse` turns a line into an `Entry` (what a change could alter, the host, the path and the
client) or a `Skipped` with its reason; it never raises on bad input.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import NamedTuple
from urllib.parse import unquote

EMPTY = "-"
# Without these an entry cannot be counted: the day, the protocol, the method, the path and the status.
REQUIRED_FIELDS = ("date", "cs-protocol", "cs-method", "cs-uri-stem", "sc-status")
REDIRECT_RESULT = "Redirect"
NO_STATUS = "000"  # sc-status when the viewer went away before a response (also "-")
_MAX_DECODINGS = 3  # CloudFront encodes user agents once, some pipelines once more: "%2520" for a space


class Entry(NamedTuple):
    """One request, reduced to what Edgeguard counts (the TrafficCount key but the behavior), plus the host,
    the path and the client (address and user agent) the other tables need."""

    day: date
    protocol: str
    method: str
    http_version: str
    status_class: str
    redirected: bool
    tls_protocol: str
    tls_cipher: str
    user_agent_family: str
    host: str
    path: str
    client: tuple[str, str]  # (c-ip, user agent as decoded)


@dataclass(frozen=True, slots=True)
class Skipped:
    """A line that is not counted, and why (shown on the ingestion's status)."""

    reason: str


def _value(raw: str) -> str:
    return "" if raw == EMPTY else raw


@lru_cache(maxsize=4096)
def decode(raw: str) -> str:
    """A percent-encoded log value decoded (repeatedly for double encodings); `-` is empty."""
    value = _value(raw)
    for _ in range(_MAX_DECODINGS):
        if "%" not in value:
            break
        decoded = unquote(value)
        if decoded == value:
            break
        value = decoded
    return value


@lru_cache(maxsize=64)
def _day(raw: str) -> date | None:
    try:
        return date.fromisoformat(raw)
    except ValueError:
        return None


def status_class(raw: str) -> str | None:
    """`200` -> `2xx`; `000` or `-` (no response) -> `000`; None for anything else."""
    if raw in (EMPTY, NO_STATUS, ""):
        return NO_STATUS
    if len(raw) == 3 and raw.isdigit() and raw[0] in "12345":
        return f"{raw[0]}xx"
    return None


class LogParser:
    """Reads the lines of one log file (or several, concatenated): header lines set the field order."""

    def __init__(self) -> None:
        self.index: dict[str, int] | None = None
        self.missing: str = ""
        self.version: str = ""

    def parse(self, line: str) -> Entry | Skipped | None:
        """The entry a line holds, why it is skipped, or None for a header or blank line."""
        line = line.rstrip("\r\n")
        if not line:
            return None
        if line.startswith("#"):
            self._header(line)
            return None
        if self.index is None:
            return Skipped("entry before any #Fields line")
        if self.missing:
            return Skipped(f"the #Fields line names no {self.missing}")
        values = line.split("\t")
        if len(values) < len(self.index):
            return Skipped("fewer values than the #Fields line names")
        return self._entry(values)

    def _header(self, line: str) -> None:
        name, _, rest = line[1:].partition(":")
        if name.strip() == "Version":
            self.version = rest.strip()
        elif name.strip() == "Fields":
            names = rest.split()
            self.index = {field: position for position, field in enumerate(names)}
            self.missing = next((f for f in REQUIRED_FIELDS if f not in self.index), "")

    def _get(self, values: list[str], field: str) -> str:
        assert self.index is not None
        position = self.index.get(field)
        return "" if position is None else _value(values[position])

    def _entry(self, values: list[str]) -> Entry | Skipped:
        get = self._get
        day = _day(get(values, "date"))
        if day is None:
            return Skipped("unreadable date")
        status = status_class(get(values, "sc-status") or EMPTY)
        if status is None:
            return Skipped("unreadable status")
        protocol = get(values, "cs-protocol").lower()
        if protocol not in ("http", "https", "ws", "wss"):
            return Skipped("unknown protocol")
        method = get(values, "cs-method").upper()
        if not method or len(method) > 16:
            return Skipped("unreadable method")
        result = get(values, "x-edge-result-type")
        detailed = get(values, "x-edge-detailed-result-type")
        user_agent = decode(get(values, "cs(User-Agent)"))
        return Entry(
            day=day,
            protocol=protocol,
            method=method,
            http_version=get(values, "cs-protocol-version")[:16],
            status_class=status,
            redirected=REDIRECT_RESULT in (result, detailed),
            tls_protocol=get(values, "ssl-protocol")[:16],
            tls_cipher=get(values, "ssl-cipher")[:64],
            user_agent_family=user_agent_family(user_agent),
            host=(get(values, "x-host-header") or get(values, "cs(Host)")).lower(),
            path=decode(get(values, "cs-uri-stem")) or "/",
            client=(get(values, "c-ip"), user_agent),
        )


# (substring of the lowercased user agent, family), first match wins: webhook senders and crawlers first
# (Googlebot's agent also says Chrome and Safari), Edge before Chrome before Safari (each names the next).
USER_AGENT_RULES: tuple[tuple[str, str], ...] = (
    ("github-hookshot", "webhook"),
    ("stripe/", "webhook"),
    ("shopify-captain-hook", "webhook"),
    ("bitbucket-webhooks", "webhook"),
    ("gitlab/", "webhook"),
    ("twilioproxy", "webhook"),
    ("slack-hooks", "webhook"),
    ("zapier", "webhook"),
    ("webhook", "webhook"),
    ("googlebot", "Googlebot"),
    ("bingbot", "bingbot"),
    ("applebot", "crawler"),
    ("duckduckbot", "crawler"),
    ("yandexbot", "crawler"),
    ("baiduspider", "crawler"),
    ("ahrefsbot", "crawler"),
    ("semrushbot", "crawler"),
    ("gptbot", "crawler"),
    ("facebookexternalhit", "crawler"),
    ("twitterbot", "crawler"),
    ("slackbot", "crawler"),
    ("crawler", "crawler"),
    ("spider", "crawler"),
    ("bot/", "crawler"),
    ("curl/", "curl"),
    ("wget/", "Wget"),
    ("python-requests/", "python-requests"),
    ("python-urllib/", "Python"),
    ("aiohttp/", "Python"),
    ("python-httpx/", "Python"),
    ("go-http-client/", "Go-http-client"),
    ("okhttp/", "okhttp"),
    ("apache-httpclient/", "Java"),
    ("java/", "Java"),
    ("edg/", "Edge"),
    ("edge/", "Edge"),
    ("firefox/", "Firefox"),
    ("fxios/", "Firefox"),
    ("chrome/", "Chrome"),
    ("crios/", "Chrome"),
    ("chromium/", "Chrome"),
    ("safari/", "Safari"),
)
NO_USER_AGENT = "none"
OTHER_USER_AGENT = "other"


@lru_cache(maxsize=4096)
def user_agent_family(user_agent: str) -> str:
    """A small deterministic family for a (decoded) user agent: a browser, a crawler, a client library, a
    webhook sender, `none` when empty or `other`."""
    if not user_agent:
        return NO_USER_AGENT
    lowered = user_agent.lower()
    for needle, family in USER_AGENT_RULES:
        if needle in lowered:
            return family
    return OTHER_USER_AGENT
