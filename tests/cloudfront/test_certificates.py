"""Certificate sources and alias coverage per docs/CLOUDFRONT.md §3."""

from datetime import UTC, datetime, timedelta

import pytest

from distributions.cloudfront.certificates import (
    certificate_identifier,
    certificate_source,
    covers,
    uncovered_aliases,
)
from tests.cloudfront.factories import ACM_ARN, certificate_record, viewer_certificate

COVERAGE = [
    pytest.param("www.example.com", "www.example.com", True, id="exact"),
    pytest.param("WWW.Example.com", "www.example.COM", True, id="exact-case-insensitive"),
    pytest.param("www.example.com", "www.example.com.", True, id="trailing-dot"),
    pytest.param("www.example.com", "api.example.com", False, id="exact-other-name"),
    pytest.param("*.example.com", "a.example.com", True, id="wildcard-one-label"),
    pytest.param("*.example.com", "a.b.example.com", False, id="wildcard-not-two-labels"),
    pytest.param("*.example.com", "example.com", False, id="wildcard-not-apex"),
    pytest.param("*.example.com", ".example.com", False, id="wildcard-not-empty-label"),
    pytest.param("*.example.com", "a.example.org", False, id="wildcard-other-parent"),
    pytest.param("*.example.com", "*.example.com", True, id="wildcard-alias-same-wildcard"),
    pytest.param("*.com", "*.example.com", False, id="wildcard-not-over-wildcard-alias"),
    pytest.param("example.com", "www.example.com", False, id="apex-not-subdomain"),
]


@pytest.mark.parametrize(("san", "host", "expected"), COVERAGE)
def test_it_decides_whether_a_certificate_name_covers_a_host(san, host, expected):
    assert covers(san, host) is expected


def test_it_lists_uncovered_aliases_in_order():
    aliases = ["b.c.example.com", "www.example.com", "example.com", "shop.example.org"]
    sans = ["*.example.com"]
    assert uncovered_aliases(aliases, sans) == ("b.c.example.com", "example.com", "shop.example.org")


def test_it_finds_no_uncovered_alias_when_every_alias_is_named():
    assert uncovered_aliases(["example.com", "www.example.com"], ["example.com", "*.example.com"]) == ()


SOURCES = [
    pytest.param(viewer_certificate(), "default", id="default"),
    pytest.param(viewer_certificate(acm_arn=ACM_ARN), "acm", id="acm"),
    pytest.param(viewer_certificate(iam_id="ASCAEXAMPLE"), "iam", id="iam"),
    pytest.param({}, "default", id="empty"),
    pytest.param(None, "default", id="missing"),
    pytest.param({"CertificateSource": "acm", "Certificate": ACM_ARN}, "acm", id="deprecated-mirror-acm"),
    pytest.param({"CertificateSource": "cloudfront"}, "default", id="deprecated-mirror-cloudfront"),
]


@pytest.mark.parametrize(("viewer_certificate_dict", "expected"), SOURCES)
def test_it_detects_the_certificate_source(viewer_certificate_dict, expected):
    assert certificate_source(viewer_certificate_dict) == expected


def test_it_labels_the_certificate():
    assert certificate_identifier(viewer_certificate(acm_arn=ACM_ARN)) == ACM_ARN
    assert certificate_identifier(viewer_certificate(iam_id="ASCAEXAMPLE")) == "ASCAEXAMPLE"
    assert certificate_identifier(viewer_certificate()) == "*.cloudfront.net"


def test_it_reads_the_region_from_the_arn():
    assert certificate_record().region == "us-east-1"


def test_it_knows_when_a_certificate_expires_within_a_window():
    now = datetime(2030, 1, 1, tzinfo=UTC)
    record = certificate_record(not_after=now + timedelta(days=29))
    assert record.expires_within(now, timedelta(days=30))
    assert not record.expires_within(now - timedelta(days=2), timedelta(days=30))
