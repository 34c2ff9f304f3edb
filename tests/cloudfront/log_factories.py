"""Log lines in AWS's documented standard format (the "Standard logging reference"), written by the tests."""

from __future__ import annotations

import gzip
from urllib.parse import quote

# The 33 fields in AWS's documented order (docs/CLOUDFRONT.md §10).
_DOCUMENTED = (
    "date time x-edge-location sc-bytes c-ip cs-method cs(Host) cs-uri-stem sc-status cs(Referer) "
    "cs(User-Agent) cs-uri-query cs(Cookie) x-edge-result-type x-edge-request-id x-host-header cs-protocol "
    "cs-bytes time-taken x-forwarded-for ssl-protocol ssl-cipher x-edge-response-result-type "
    "cs-protocol-version fle-status fle-encrypted-fields c-port time-to-first-byte "
    "x-edge-detailed-result-type sc-content-type sc-content-len sc-range-start sc-range-end"
)
FIELDS = tuple(_DOCUMENTED.split())

CHROME = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/120.0.0.0 Safari/537.36"
)


def values(**overrides: str) -> dict[str, str]:
    """One request's fields, an HTTPS GET from Chrome by default; `field_name` keys with `-` as `_`."""
    https = overrides.get("cs_protocol", "https") in ("https", "wss")
    result = {
        "date": "2026-11-30",
        "time": "12:00:01",
        "x-edge-location": "FRA56-P1",
        "sc-bytes": "1234",
        "c-ip": "192.0.2.10",
        "cs-method": "GET",
        "cs(Host)": "d111111abcdef8.cloudfront.net",
        "cs-uri-stem": "/index.html",
        "sc-status": "200",
        "cs(Referer)": "-",
        "cs(User-Agent)": quote(CHROME, safe="/;()"),
        "cs-uri-query": "-",
        "cs(Cookie)": "-",
        "x-edge-result-type": "Hit",
        "x-edge-request-id": "eXampleRequestId==",
        "x-host-header": "www.example.com",
        "cs-protocol": "https",
        "cs-bytes": "400",
        "time-taken": "0.002",
        "x-forwarded-for": "-",
        "ssl-protocol": "TLSv1.3" if https else "-",
        "ssl-cipher": "TLS_AES_128_GCM_SHA256" if https else "-",
        "x-edge-response-result-type": "Hit",
        "cs-protocol-version": "HTTP/2.0" if https else "HTTP/1.1",
        "fle-status": "-",
        "fle-encrypted-fields": "-",
        "c-port": "51234",
        "time-to-first-byte": "0.001",
        "x-edge-detailed-result-type": "Hit",
        "sc-content-type": "text/html",
        "sc-content-len": "1000",
        "sc-range-start": "-",
        "sc-range-end": "-",
    }
    for name, value in overrides.items():
        key = name.replace("_", "-").replace("cs-user-agent", "cs(User-Agent)").replace("cs-host", "cs(Host)")
        assert key in result, key
        result[key] = value
    return result


def line(fields: tuple[str, ...] | list[str] = FIELDS, **overrides: str) -> str:
    data = values(**overrides)
    return "\t".join(data[name] for name in fields)


def header(fields: tuple[str, ...] | list[str] = FIELDS) -> list[str]:
    return ["#Version: 1.0", "#Fields: " + " ".join(fields)]


def log_file(lines: list[str], fields: tuple[str, ...] | list[str] = FIELDS) -> bytes:
    """A gzip'd log file: the two header lines, then `lines`."""
    return gzip.compress(("\n".join([*header(fields), *lines]) + "\n").encode())
