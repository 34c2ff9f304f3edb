"""A deterministic week of CloudFront standard access logs for the demo fleet, in the sandbox's S3.

For each distribution whose `Logging` is on: one gzip file per hour, `<prefix><id>.YYYY-MM-DD-HH.<unique>.gz`,
in CloudFront's standard format, written straight into moto's S3 (no HTTP), in the account that owns the
distribution. The viewers: browsers (some arriving over HTTP and following the redirect), crawlers, curl,
an HTTP/1.0 client, webhook senders POSTing over HTTP, a share of TLSv1.1 viewers on one distribution, and
one monitor that only ever asks over HTTP and never follows a redirect. Each answer is what the
simulator's protocol table says for the behavior the path hits, so the history agrees with the configs.

`write_access_logs` returns, per distribution, the independent count of what it wrote (requests by
protocol, and more), for tests to compare with what the ingestion stored.
"""

from __future__ import annotations

import gzip
import random
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any
from urllib.parse import quote

from moto.s3.models import s3_backends

from distributions.cloudfront.patterns import match_behavior
from distributions.cloudfront.simulate import allowed_methods, protocol_outcome

from .backend import backend_for

FIELDS = (
    "date time x-edge-location sc-bytes c-ip cs-method cs(Host) cs-uri-stem sc-status cs(Referer) "
    "cs(User-Agent) cs-uri-query cs(Cookie) x-edge-result-type x-edge-request-id x-host-header cs-protocol "
    "cs-bytes time-taken x-forwarded-for ssl-protocol ssl-cipher x-edge-response-result-type "
    "cs-protocol-version fle-status fle-encrypted-fields c-port time-to-first-byte "
    "x-edge-detailed-result-type sc-content-type sc-content-len sc-range-start sc-range-end"
)
# The distribution (by its caller reference) where a share of HTTPS viewers still speak TLSv1.1.
TLS11_DISTRIBUTION = "demo-shop"
NEVER_FOLLOWS = ("203.0.113.66", "Java/1.8.0_292")  # asks over HTTP only, never follows a redirect
PATHS = ("/", "/index.html", "/static/app.js", "/static/site.css", "/api/orders", "/products/42", "/help")


@dataclass(frozen=True)
class Viewer:
    """A kind of viewer: its user agent, how it asks, and how often it comes (weight)."""

    user_agent: str
    weight: int
    http_share: float  # of its first requests made over plain HTTP
    follows: bool  # asks again over HTTPS after a redirect
    method: str = "GET"
    version: str = "HTTP/1.1"  # over plain HTTP (HTTPS browsers use HTTP/2.0)
    paths: tuple[str, ...] = PATHS


VIEWERS = (
    Viewer(
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 "
        "Safari/537.36",
        40,
        0.1,
        True,
    ),
    Viewer("Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0", 12, 0.1, True),
    Viewer(
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_1) AppleWebKit/605.1.15 (KHTML, like Gecko) "
        "Version/17.1 Safari/605.1.15",
        15,
        0.1,
        True,
    ),
    Viewer(
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 "
        "Safari/537.36 Edg/120.0",
        8,
        0.1,
        True,
    ),
    Viewer("Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)", 6, 0.2, True),
    Viewer("Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)", 3, 0.2, True),
    Viewer("curl/8.4.0", 4, 0.6, False),
    Viewer("Wget/1.12 (linux-gnu)", 2, 1.0, False, version="HTTP/1.0"),
    Viewer("GitHub-Hookshot/5f3c2a1", 3, 1.0, False, method="POST", paths=("/hooks/github",)),
    Viewer(
        "Stripe/1.0 (+https://stripe.com/docs/webhooks)",
        2,
        1.0,
        False,
        method="POST",
        paths=("/hooks/stripe",),
    ),
    Viewer("python-requests/2.31.0", 3, 0.3, True),
)
_WEIGHTS = [viewer.weight for viewer in VIEWERS]


@dataclass
class WrittenLogs:
    """What was written for one distribution: files, lines, and requests by (protocol, redirected)."""

    files: int = 0
    lines: int = 0
    by_protocol: Counter[str] | None = None
    redirected: int = 0
    tls11: int = 0
    http_served: Counter[str] | None = None  # by day: plain HTTP answered, neither redirected nor refused

    def count(self, protocol: str, redirected: bool, tls: str, day: str = "", status: int = 200) -> None:
        if self.by_protocol is None:
            self.by_protocol, self.http_served = Counter(), Counter()
        assert self.http_served is not None
        self.by_protocol[protocol] += 1
        self.lines += 1
        self.redirected += redirected
        self.tls11 += tls == "TLSv1.1"
        self.http_served[day] += protocol == "http" and not redirected and status < 400


def write_access_logs(
    *, today: date, days: int = 7, per_hour: int = 8, accounts: Iterable[str] = ()
) -> dict[str, WrittenLogs]:
    """Write `days` days (before `today`) of hourly log files for every logging distribution of the
    accounts; about `per_hour` visits an hour each. Returns what was written, by distribution id."""
    written: dict[str, WrittenLogs] = {}
    owners: dict[str, Any] = {}  # bucket -> the S3 backend of the account that owns it (the first to log)
    for account in accounts:
        for record in list(backend_for(account).records.values()):
            logging_config = record.config.get("Logging") or {}
            if not logging_config.get("Enabled") or not record.config.get("Enabled", True):
                continue  # no logs, or a disabled distribution: it serves nothing
            bucket = str(logging_config["Bucket"]).split(".s3", 1)[0]
            if bucket not in owners:
                owners[bucket] = s3_backends[account]["aws"]
                owners[bucket].create_bucket(bucket, "us-east-1")
            result = written.setdefault(record.id, WrittenLogs())
            prefix = f"{logging_config.get('Prefix') or ''}{record.id}"
            for n in range(1, days + 1):
                day = today - timedelta(days=n)
                for hour in range(24):
                    body = _hour_file(record, day, hour, per_hour, result)
                    key = f"{prefix}.{day.isoformat()}-{hour:02d}.{record.id[-4:].lower()}{hour:02d}.gz"
                    owners[bucket].put_object(bucket, key, body)
                    result.files += 1
    return written


def _hour_file(record: Any, day: date, hour: int, per_hour: int, result: WrittenLogs) -> bytes:
    rng = random.Random(f"{record.id}/{day}/{hour}")
    host = (record.config.get("Aliases", {}).get("Items") or [record.domain_name])[0]
    lines = ["#Version: 1.0", f"#Fields: {FIELDS}"]
    visits = max(1, int(per_hour * (0.5 + abs(12 - hour) / 12)))
    context: tuple[Any, str, str, str, dict[str, Any]] = (record, host, day.isoformat(), f"{hour:02d}", {})
    for viewer in rng.choices(VIEWERS, _WEIGHTS, k=visits):
        lines += _visit(rng, context, viewer, f"198.51.100.{rng.randrange(1, 250)}", result)
    if hour % 3 == 0:  # the monitor that never follows
        lines += _visit(rng, context, _MONITOR, NEVER_FOLLOWS[0], result)
    return gzip.compress(("\n".join(lines) + "\n").encode(), mtime=0)


_MONITOR = Viewer(NEVER_FOLLOWS[1], 0, 1.0, False)


def _visit(rng, context, viewer: Viewer, ip: str, result: WrittenLogs) -> list[str]:
    record, behaviors = context[0], context[4]
    path = rng.choice(viewer.paths)
    if path not in behaviors:
        behaviors[path] = match_behavior(record.config, path).behavior
    behavior = behaviors[path]
    lines = []
    if rng.random() < viewer.http_share:
        status, result_type = _answer(behavior, "http", viewer.method, viewer.version)
        lines.append(_line(rng, context, viewer, ip, path, "http", status, result_type, result))
        if not (result_type == "Redirect" and viewer.follows):
            return lines
    status, result_type = _answer(behavior, "https", viewer.method, "HTTP/2.0")
    lines.append(_line(rng, context, viewer, ip, path, "https", status, result_type, result))
    return lines


def _answer(behavior: Mapping[str, Any], scheme: str, method: str, version: str) -> tuple[int, str]:
    if method not in allowed_methods(behavior):
        return 403, "Error"
    outcome = protocol_outcome(
        behavior["ViewerProtocolPolicy"], scheme, method, version.removeprefix("HTTP/")
    )
    if outcome.outcome == "redirect":
        return outcome.status, "Redirect"
    return outcome.status, ("Error" if outcome.status >= 400 else "Hit")


_QUOTED: dict[str, str] = {}


def _line(rng, context, viewer, ip, path, scheme, status, result_type, result) -> str:
    record, host, day, hour, _ = context
    tls, cipher = "-", "-"
    if scheme == "https":
        draw = rng.random()
        tls, cipher = (
            ("TLSv1.3", "TLS_AES_128_GCM_SHA256")
            if draw < 0.7
            else ("TLSv1.2", "ECDHE-RSA-AES128-GCM-SHA256")
        )
        if record.config.get("CallerReference") == TLS11_DISTRIBUTION and draw > 0.92:
            tls, cipher = "TLSv1.1", "ECDHE-RSA-AES128-SHA"
        version = "HTTP/1.1" if viewer.version == "HTTP/1.0" else "HTTP/2.0"
    else:
        version = viewer.version
    result.count(scheme, result_type == "Redirect", tls, day, status)
    if viewer.user_agent not in _QUOTED:
        _QUOTED[viewer.user_agent] = quote(viewer.user_agent, safe="/;()+:,")
    bits = rng.getrandbits(48)
    seconds = bits % 3600
    values = (
        day,
        f"{hour}:{seconds // 60:02d}:{seconds % 60:02d}",
        "FRA56-P1",
        str(300 + bits % 40000),
        ip,
        viewer.method,
        record.domain_name,
        path,
        str(status),
        "-",
        _QUOTED[viewer.user_agent],
        "-",
        "-",
        result_type,
        f"req{bits:x}",
        host,
        scheme,
        str(100 + bits % 800),
        f"0.0{bits % 100:02d}",
        "-",
        tls,
        cipher,
        result_type,
        version,
        "-",
        "-",
        str(1024 + bits % 60000),
        "0.001",
        result_type,
        "text/html",
        "1000",
        "-",
        "-",
    )
    return "\t".join(values)
