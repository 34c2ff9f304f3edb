"""CloudFront standard log lines read per AWS's "Standard logging reference" (docs/CLOUDFRONT.md §10)."""

import gzip
from datetime import date

import pytest

from distributions.cloudfront.access_logs import Entry, LogParser, Skipped, decode, user_agent_family
from distributions.cloudfront.log_files import (
    BadLogFile,
    LoggingSettings,
    bucket_name,
    day_prefix,
    gzip_lines,
    parse_log_key,
)
from tests.cloudfront.log_factories import FIELDS, header, line, log_file


def parse(text: str, fields=FIELDS):
    parser = LogParser()
    for head in header(fields):
        assert parser.parse(head) is None
    return parser.parse(text)


# (what the line overrides, the entry's expected attributes)
ENTRIES = [
    pytest.param(
        {},
        {
            "protocol": "https",
            "method": "GET",
            "http_version": "HTTP/2.0",
            "status_class": "2xx",
            "redirected": False,
            "tls_protocol": "TLSv1.3",
            "tls_cipher": "TLS_AES_128_GCM_SHA256",
            "user_agent_family": "Chrome",
            "host": "www.example.com",
            "path": "/index.html",
        },
        id="https-get-chrome",
    ),
    pytest.param(
        {
            "cs_protocol": "http",
            "sc_status": "301",
            "x_edge_result_type": "Redirect",
            "x_edge_detailed_result_type": "Redirect",
        },
        {
            "protocol": "http",
            "status_class": "3xx",
            "redirected": True,
            "tls_protocol": "",
            "tls_cipher": "",
            "http_version": "HTTP/1.1",
        },
        id="http-redirected-301",
    ),
    pytest.param(
        {
            "cs_protocol": "http",
            "sc_status": "307",
            "x_edge_result_type": "Error",
            "x_edge_detailed_result_type": "Redirect",
            "cs_method": "POST",
        },
        {"redirected": True, "method": "POST", "status_class": "3xx"},
        id="detailed-result-redirect",
    ),
    pytest.param(
        {
            "cs_protocol": "http",
            "sc_status": "403",
            "x_edge_result_type": "Error",
            "x_edge_detailed_result_type": "Error",
            "cs_protocol_version": "HTTP/1.0",
            "cs_method": "POST",
        },
        {"redirected": False, "status_class": "4xx", "http_version": "HTTP/1.0"},
        id="http10-post-403",
    ),
    pytest.param({"sc_status": "000"}, {"status_class": "000"}, id="no-response"),
    pytest.param({"sc_status": "-"}, {"status_class": "000"}, id="status-dash"),
    pytest.param(
        {"ssl_protocol": "TLSv1.1", "ssl_cipher": "ECDHE-RSA-AES128-SHA"},
        {"tls_protocol": "TLSv1.1", "tls_cipher": "ECDHE-RSA-AES128-SHA"},
        id="tls11",
    ),
    pytest.param({"cs_user_agent": "curl/8.4.0"}, {"user_agent_family": "curl"}, id="curl"),
    pytest.param(
        {"cs_user_agent": "-"},
        {"user_agent_family": "none", "client": ("192.0.2.10", "")},
        id="no-user-agent",
    ),
    pytest.param(
        {"cs_user_agent": "Mozilla/5.0%2520(compatible;%2520Googlebot/2.1)"},
        {
            "user_agent_family": "Googlebot",
            "client": ("192.0.2.10", "Mozilla/5.0 (compatible; Googlebot/2.1)"),
        },
        id="double-encoded-user-agent",
    ),
    pytest.param(
        {"cs_uri_stem": "/caf%C3%A9/menu%20du%20jour.html"},
        {"path": "/café/menu du jour.html"},
        id="percent-encoded-path",
    ),
    pytest.param(
        {"x_host_header": "-"}, {"host": "d111111abcdef8.cloudfront.net"}, id="host-falls-back-to-cs-host"
    ),
    pytest.param({"x_host_header": "WWW.Example.COM"}, {"host": "www.example.com"}, id="host-lowercased"),
    pytest.param(
        {"cs_protocol": "wss", "cs_protocol_version": "HTTP/1.1"}, {"protocol": "wss"}, id="websocket"
    ),
]


@pytest.mark.parametrize(("overrides", "expected"), ENTRIES)
def test_it_reads_an_entry_of_the_documented_format(overrides, expected):
    entry = parse(line(**overrides))

    assert isinstance(entry, Entry)
    assert entry.day == date(2026, 11, 30)
    for name, value in expected.items():
        assert getattr(entry, name) == value, name


def test_it_reads_fields_in_the_order_the_fields_line_gives():
    reordered = list(reversed(FIELDS))

    entry = parse(line(reordered, cs_protocol="http", cs_method="PUT"), reordered)

    assert (entry.protocol, entry.method, entry.path) == ("http", "PUT", "/index.html")


def test_it_reads_a_file_that_names_only_some_fields():
    fields = ["date", "time", "c-ip", "cs-method", "cs-uri-stem", "sc-status", "cs-protocol"]

    entry = parse(line(fields, cs_protocol="http"), fields)

    assert entry.protocol == "http"
    assert (entry.http_version, entry.tls_protocol, entry.user_agent_family, entry.redirected) == (
        "",
        "",
        "none",
        False,
    )


def test_it_ignores_fields_it_does_not_know():
    fields = [*FIELDS[:5], "x-future-field", *FIELDS[5:]]
    text = "\t".join(["2026-11-30", "01:00:00", "FRA", "1", "192.0.2.1", "whatever", *line().split("\t")[5:]])

    assert parse(text, fields).method == "GET"


SKIPS = [
    pytest.param(
        "\t".join(line().split("\t")[:10]), "fewer values than the #Fields line names", id="short-line"
    ),
    pytest.param(line(date="30/11/2026"), "unreadable date", id="bad-date"),
    pytest.param(line(sc_status="2OO"), "unreadable status", id="bad-status"),
    pytest.param(line(cs_protocol="gopher"), "unknown protocol", id="bad-protocol"),
    pytest.param(line(cs_method="-"), "unreadable method", id="no-method"),
]


@pytest.mark.parametrize(("text", "reason"), SKIPS)
def test_it_skips_a_bad_line_with_its_reason(text, reason):
    assert parse(text) == Skipped(reason)


def test_it_skips_entries_before_a_fields_line_and_under_one_without_a_required_field():
    assert LogParser().parse(line()) == Skipped("entry before any #Fields line")
    fields = [f for f in FIELDS if f != "cs-protocol"]
    assert parse(line(fields), fields) == Skipped("the #Fields line names no cs-protocol")


@pytest.mark.parametrize("text", ["", "\n", "#Version: 1.0", "#Fields: date time"])
def test_it_reads_headers_and_blank_lines_as_nothing(text):
    assert LogParser().parse(text) is None


FAMILIES = [
    (
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/120.0 Safari/537.36 Edg/120.0",
        "Edge",
    ),
    (
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_1) AppleWebKit/605.1.15 (KHTML, like Gecko) "
        "Version/17.1 Safari/605.1.15",
        "Safari",
    ),
    ("Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0", "Firefox"),
    (
        "Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/120.0 Mobile Safari/537.36",
        "Chrome",
    ),
    (
        "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; Googlebot/2.1; "
        "+http://www.google.com/bot.html) Chrome/120.0 Safari/537.36",
        "Googlebot",
    ),
    ("Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)", "bingbot"),
    ("Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)", "crawler"),
    ("curl/8.4.0", "curl"),
    ("Wget/1.21.4", "Wget"),
    ("python-requests/2.31.0", "python-requests"),
    ("Python-urllib/3.11", "Python"),
    ("Go-http-client/1.1", "Go-http-client"),
    ("Java/17.0.9", "Java"),
    ("Apache-HttpClient/4.5.14 (Java/17.0.9)", "Java"),
    ("okhttp/4.12.0", "okhttp"),
    ("GitHub-Hookshot/a1b2c3d", "webhook"),
    ("Stripe/1.0 (+https://stripe.com/docs/webhooks)", "webhook"),
    ("Acme-Webhook-Sender/2.0", "webhook"),
    ("Lynx/2.9.0dev.12 libwww-FM/2.14", "other"),
    ("", "none"),
]


@pytest.mark.parametrize(("agent", "family"), FAMILIES, ids=[f for _, f in FAMILIES])
def test_it_names_the_family_of_a_user_agent(agent, family):
    assert user_agent_family(agent) == family


def test_it_decodes_values():
    assert decode("-") == ""
    assert decode("a%20b") == "a b"
    assert decode("100%25") == "100%"


NAMES = [
    (
        "logs/E2QWRUHEXAMPLE.2026-11-30-07.a1b2c3d4.gz",
        "logs/",
        ("E2QWRUHEXAMPLE", date(2026, 11, 30), 7, "a1b2c3d4"),
    ),
    ("E2QWRUHEXAMPLE.2026-11-30-23.x.gz", "", ("E2QWRUHEXAMPLE", date(2026, 11, 30), 23, "x")),
    ("logs/E2QWRUHEXAMPLE.2026-11-30-24.x.gz", "logs/", None),
    ("logs/E2QWRUHEXAMPLE.2026-02-30-01.x.gz", "logs/", None),
    ("logs/README.txt", "logs/", None),
    ("other/E2QWRUHEXAMPLE.2026-11-30-07.x.gz", "logs/", None),
    ("logs/E2QWRUHEXAMPLE.2026-11-30-07.x.gz.tmp", "logs/", None),
]


@pytest.mark.parametrize(("key", "prefix", "expected"), NAMES)
def test_it_reads_a_log_file_name(key, prefix, expected):
    parsed = parse_log_key(key, prefix)

    assert (parsed and (parsed.distribution_id, parsed.day, parsed.hour, parsed.unique)) == expected or (
        parsed is None and expected is None
    )


def test_it_lists_one_day_by_prefix():
    assert day_prefix("logs/", "E2Q", date(2026, 11, 3)) == "logs/E2Q.2026-11-03-"


@pytest.mark.parametrize(
    ("bucket", "name"),
    [
        ("acme-logs.s3.amazonaws.com", "acme-logs"),
        ("acme-logs.s3.eu-west-1.amazonaws.com", "acme-logs"),
        ("acme-logs", "acme-logs"),
        ("", None),
        ("not a bucket", None),
    ],
)
def test_it_reads_the_bucket_of_logging(bucket, name):
    assert bucket_name(bucket) == name


def test_it_reads_logging_settings_from_a_config():
    settings = LoggingSettings.from_config(
        {"Enabled": True, "Bucket": "cf-logs.s3.amazonaws.com", "Prefix": "cf/", "IncludeCookies": False}
    )

    assert (settings.enabled, settings.bucket_name, settings.prefix) == (True, "cf-logs", "cf/")
    assert LoggingSettings.from_config(settings.as_config()) == settings


def chunks(data: bytes, size: int = 7):
    return (data[i : i + size] for i in range(0, len(data), size))


def test_it_reads_a_gzip_file_line_by_line_across_chunks_and_members():
    data = log_file([line(), line(cs_method="HEAD")]) + gzip.compress(b"last line without newline")

    lines = list(gzip_lines(chunks(data)))

    assert lines[:2] == header()
    assert lines[2].split("\t")[5] == "GET" and lines[3].split("\t")[5] == "HEAD"
    assert lines[4:] == ["last line without newline"]


def test_it_yields_lines_before_a_truncation_then_says_so():
    data = log_file([line()] * 200)
    reader = gzip_lines(chunks(data[: len(data) // 2], 64))

    got = []
    with pytest.raises(BadLogFile, match="truncated gzip"):
        for text in reader:
            got.append(text)
    assert 0 < len(got) < 202


def test_it_refuses_a_file_that_is_not_gzip():
    with pytest.raises(BadLogFile, match="corrupt gzip"):
        list(gzip_lines([b"plain text, not gzip\n"]))


def test_it_is_a_generator_that_holds_no_list_of_lines():
    reader = gzip_lines(chunks(log_file([line()] * 10)))

    assert iter(reader) is reader
    assert next(reader) == "#Version: 1.0"
