"""The request simulator per docs/CLOUDFRONT.md §1, §3 and §4."""

from itertools import product

import pytest

from distributions.cloudfront.simulate import find_distribution, simulate
from tests.cloudfront.factories import (
    ACM_ARN,
    ALL_METHODS,
    DOMAIN_NAME,
    behavior,
    certificate_record,
    custom_origin,
    distribution_config,
    origin_group,
    s3_origin,
    viewer_certificate,
)

# §1, spelled out: the HTTP column per policy; every HTTPS request is served.
HTTP_STATUS = {
    "allow-all": {"GET": 200, "HEAD": 200, "other-1.0": 200, "other-1.1+": 200},
    "redirect-to-https": {"GET": 301, "HEAD": 301, "other-1.0": 403, "other-1.1+": 307},
    "https-only": {"GET": 403, "HEAD": 403, "other-1.0": 403, "other-1.1+": 403},
}


def expected_status(policy, method, version, scheme):
    if scheme == "https":
        return 200
    key = method if method in ("GET", "HEAD") else ("other-1.0" if version == "1.0" else "other-1.1+")
    return HTTP_STATUS[policy][key]


CELLS = [
    pytest.param(policy, method, version, scheme, id=f"{policy}-{method}-HTTP/{version}-{scheme}")
    for policy, method, version, scheme in product(
        HTTP_STATUS, ALL_METHODS, ("1.0", "1.1", "2"), ("http", "https")
    )
]


@pytest.mark.parametrize(("policy", "method", "version", "scheme"), CELLS)
def test_it_answers_every_cell_of_the_viewer_protocol_table(policy, method, version, scheme):
    config = distribution_config(default=behavior(policy=policy, methods=ALL_METHODS))
    url = f"{scheme}://www.example.com/cart?id=7"
    result = simulate(url=url, config=config, domain_name=DOMAIN_NAME, method=method, http_version=version)
    status = expected_status(policy, method, version, scheme)
    assert result.status == status
    assert result.outcome == {200: "served", 301: "redirect", 307: "redirect", 403: "forbidden"}[status]
    assert result.location == ("https://www.example.com/cart?id=7" if status in (301, 307) else None)
    assert (result.billing_note is not None) is (status in (301, 307))
    assert (result.origin is not None) is (status == 200)


def test_it_redirects_to_the_same_path_without_a_dangling_question_mark():
    config = distribution_config(default=behavior(policy="redirect-to-https"))
    result = simulate(url="http://www.example.com:80/a/b.html", config=config, domain_name=DOMAIN_NAME)
    assert result.location == "https://www.example.com/a/b.html"


def test_it_refuses_a_method_the_behavior_does_not_allow():
    config = distribution_config(default=behavior(methods=("GET", "HEAD")))
    result = simulate(
        url="https://www.example.com/x", config=config, domain_name=DOMAIN_NAME, method="DELETE"
    )
    assert (result.status, result.method_allowed, result.origin) == (403, False, None)
    assert "allows only GET, HEAD" in result.reason


def test_it_reports_which_behavior_matched_and_why():
    config = distribution_config(behaviors=[behavior("/api/*", policy="https-only")])
    result = simulate(url="http://www.example.com/api/users?q=1", config=config, domain_name=DOMAIN_NAME)
    assert (result.match.precedence, result.match.path_pattern, result.status) == (0, "/api/*", 403)
    assert result.viewer_protocol_policy == "https-only"
    assert "first ordered pattern" in result.match.reason


FETCHES = [
    pytest.param(custom_origin(policy="http-only"), "https", ("http", 80), id="http-only"),
    pytest.param(custom_origin(policy="https-only"), "http", ("https", 443), id="https-only"),
    pytest.param(custom_origin(policy="match-viewer"), "http", ("http", 80), id="match-viewer-http"),
    pytest.param(custom_origin(policy="match-viewer"), "https", ("https", 443), id="match-viewer-https"),
    pytest.param(
        custom_origin(policy="https-only", https_port=8443), "https", ("https", 8443), id="custom-port"
    ),
    pytest.param(s3_origin("web"), "http", ("https", 443), id="s3-rest"),
]


@pytest.mark.parametrize(("origin", "scheme", "expected"), FETCHES)
def test_it_fetches_from_the_origin_per_its_protocol_policy(origin, scheme, expected):
    config = distribution_config(default=behavior(policy="allow-all"), origins=[origin])
    result = simulate(url=f"{scheme}://www.example.com/", config=config, domain_name=DOMAIN_NAME)
    assert (result.origin.protocol, result.origin.port) == expected


def test_it_fetches_from_an_origin_groups_primary_member():
    config = distribution_config(
        default=behavior(origin="failover"),
        origins=[custom_origin("primary", domain="a.example.net"), custom_origin("secondary")],
        origin_groups=[origin_group("failover", ["primary", "secondary"])],
    )
    result = simulate(url="https://www.example.com/", config=config, domain_name=DOMAIN_NAME)
    assert (result.origin.origin_id, result.origin.domain_name) == ("primary", "a.example.net")


def test_it_says_when_the_origin_is_missing():
    config = distribution_config(default=behavior(origin="gone"))
    result = simulate(url="https://www.example.com/", config=config, domain_name=DOMAIN_NAME)
    assert result.origin is None and "NoSuchOrigin" in result.reason


def test_it_refuses_a_host_the_distribution_does_not_serve():
    result = simulate(url="https://shop.example.org/", config=distribution_config(), domain_name=DOMAIN_NAME)
    assert (result.host_served, result.status, result.match) == (False, 403, None)


TLS = [
    pytest.param(
        DOMAIN_NAME, viewer_certificate(acm_arn=ACM_ARN), ("default", True, "TLSv1"), id="cf-domain"
    ),
    pytest.param(
        "www.example.com", viewer_certificate(acm_arn=ACM_ARN), ("acm", True, "TLSv1.2_2021"), id="alias"
    ),
    pytest.param(
        "a.b.example.com", viewer_certificate(acm_arn=ACM_ARN), ("acm", False, "TLSv1.2_2021"), id="deep"
    ),
    pytest.param(
        "www.example.com", viewer_certificate(iam_id="ASCA1"), ("iam", None, "TLSv1.2_2021"), id="iam"
    ),
    pytest.param("www.example.com", viewer_certificate(), ("default", False, "TLSv1"), id="alias-on-default"),
]


@pytest.mark.parametrize(("host", "certificate", "expected"), TLS)
def test_it_shows_the_certificate_presented_for_the_host(host, certificate, expected):
    config = distribution_config(aliases=["www.example.com", "a.b.example.com"], certificate=certificate)
    record = certificate_record() if "ACMCertificateArn" in certificate else None
    tls = simulate(url=f"https://{host}/", config=config, domain_name=DOMAIN_NAME, certificate=record).tls
    assert (tls.certificate_source, tls.covers_host, tls.minimum_protocol_version) == expected


def test_it_does_not_judge_coverage_from_another_certificates_record():
    other = certificate_record(arn=ACM_ARN.replace("0f1e", "9999"))
    config = distribution_config()
    tls = simulate(
        url="https://www.example.com/", config=config, domain_name=DOMAIN_NAME, certificate=other
    ).tls
    assert tls.covers_host is None


def test_it_notes_dedicated_ip_certificates():
    config = distribution_config(certificate=viewer_certificate(acm_arn=ACM_ARN, ssl_support_method="vip"))
    tls = simulate(url="https://www.example.com/", config=config, domain_name=DOMAIN_NAME).tls
    assert tls.ssl_support_method == "vip" and "$600" in tls.note


def test_it_has_no_tls_side_for_plain_http():
    assert (
        simulate(url="http://www.example.com/", config=distribution_config(), domain_name=DOMAIN_NAME).tls
        is None
    )


BAD_REQUESTS = [
    pytest.param("ftp://www.example.com/", "1.1", "http:// or https://", id="scheme"),
    pytest.param("http://www.example.com/", "3", "QUIC", id="http3-over-http"),
    pytest.param("https://www.example.com/", "1.2", "Choose an HTTP version", id="version"),
]


@pytest.mark.parametrize(("url", "version", "message"), BAD_REQUESTS)
def test_it_rejects_impossible_requests(url, version, message):
    with pytest.raises(ValueError, match=message):
        simulate(url=url, config=distribution_config(), domain_name=DOMAIN_NAME, http_version=version)


FLEET = [
    ("E1", "d1.cloudfront.net", distribution_config(aliases=["www.example.com"])),
    ("E2", "d2.cloudfront.net", distribution_config(aliases=["api.example.com", "*.shop.example.com"])),
]
ROUTES = [
    pytest.param("d2.cloudfront.net", ("E2", "domain"), id="cloudfront-domain"),
    pytest.param("WWW.example.com", ("E1", "alias"), id="alias-lowercased"),
    pytest.param("api.example.com", ("E2", "alias"), id="alias"),
    pytest.param("x.shop.example.com", None, id="alias-match-is-exact"),
    pytest.param("example.com", None, id="unknown"),
]


@pytest.mark.parametrize(("host", "expected"), ROUTES)
def test_it_finds_the_distribution_serving_a_host(host, expected):
    route = find_distribution(host, FLEET)
    assert (route and (route.distribution_id, route.via)) == expected
