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
    # "When your origin is an Amazon S3 bucket that supports HTTPS communication, CloudFront always forwards
    # requests to S3 by using the protocol that viewers used to submit the requests. The default setting for
    # the Protocol (custom origins only) setting is Match Viewer and can't be changed."
    pytest.param(s3_origin("web"), "http", ("http", 80), id="s3-rest-http-viewer-fetches-over-http"),
    pytest.param(s3_origin("web"), "https", ("https", 443), id="s3-rest-https-viewer-fetches-over-https"),
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
    pytest.param("https://www.example.com/", "1.2", "Choose an HTTP version", id="version"),
]


@pytest.mark.parametrize(("url", "version", "message"), BAD_REQUESTS)
def test_it_rejects_impossible_requests(url, version, message):
    with pytest.raises(ValueError, match=message):
        simulate(url=url, config=distribution_config(), domain_name=DOMAIN_NAME, http_version=version)


FLEET = [
    ("E1", "d1.cloudfront.net", distribution_config(aliases=["www.example.com"])),
    ("E2", "d2.cloudfront.net", distribution_config(aliases=["api.example.com", "*.shop.example.com"])),
    ("E3", "d3.cloudfront.net", distribution_config(aliases=["*.example.com"])),
    ("E4", "d4.cloudfront.net", distribution_config(aliases=["*.product-name.example.com"])),
]
# The guide ("Use wildcards in alternate domain names"): "with an alternate domain name of *.example.com, you
# can use any domain name that ends with example.com in your URLs, such as www.example.com,
# product-name.example.com, marketing.product-name.example.com, and so on." And ("Restrictions on using
# alternate domain names"): "If you have overlapping alternate domain names in two distributions, CloudFront
# sends the request to the distribution with the more specific name match".
ROUTES = [
    pytest.param("d2.cloudfront.net", ("E2", "domain", None), id="cloudfront-domain"),
    pytest.param("WWW.example.com", ("E1", "alias", "www.example.com"), id="exact-alias-before-wildcard"),
    pytest.param("api.example.com", ("E2", "alias", "api.example.com"), id="exact-alias"),
    pytest.param("x.shop.example.com", ("E2", "alias", "*.shop.example.com"), id="longer-wildcard-wins"),
    pytest.param("a.b.shop.example.com", ("E2", "alias", "*.shop.example.com"), id="wildcard-labels-deep"),
    pytest.param("product-name.example.com", ("E3", "alias", "*.example.com"), id="wildcard-one-label"),
    pytest.param(
        "marketing.product-name.example.com",
        ("E4", "alias", "*.product-name.example.com"),
        id="guide-example-more-specific-wildcard",
    ),
    pytest.param("example.com", None, id="wildcard-does-not-route-the-bare-name"),
    pytest.param("www.example.org", None, id="unknown"),
]


@pytest.mark.parametrize(("host", "expected"), ROUTES)
def test_it_finds_the_distribution_serving_a_host(host, expected):
    route = find_distribution(host, FLEET)
    assert (route and (route.distribution_id, route.via, route.alias)) == expected


def test_the_guides_wildcard_example_routes_several_labels_deep():
    config = distribution_config(aliases=["*.example.com"])
    for host in ("www.example.com", "product-name.example.com", "marketing.product-name.example.com"):
        result = simulate(url=f"https://{host}/images/image.jpg", config=config, domain_name=DOMAIN_NAME)
        assert result.host_served and result.status == 200, host


# botocore's HttpVersion: "For viewers and CloudFront to use HTTP/2, viewers must support TLSv1.2 or later";
# "For viewers and CloudFront to use HTTP/3, viewers must support TLSv1.3"; AWS re:Post ("What protocols does
# CloudFront support?"): "HTTP versions 1.0 and 1.1 are turned on for all distributions by default. You can
# turn HTTP version 2 and 3 on or off." A viewer gets the highest enabled version not above the one it asks.
HTTP_VERSIONS = [
    pytest.param("https", "http2and3", "3", "3", False, id="http2and3-serves-3"),
    pytest.param("https", "http2and3", "2", "2", False, id="http2and3-serves-2"),
    pytest.param("https", "http2", "3", "2", True, id="http2-only-serves-3-as-2"),
    pytest.param("https", "http2", "2", "2", False, id="http2-serves-2"),
    pytest.param("https", "http3", "2", "1.1", True, id="http3-only-serves-2-as-1.1"),
    pytest.param("https", "http3", "3", "3", False, id="http3-serves-3"),
    pytest.param("https", "http1.1", "3", "1.1", True, id="http1.1-serves-3-as-1.1"),
    pytest.param("https", "http1.1", "1.0", "1.0", False, id="http1.0-is-always-on"),
    pytest.param("https", None, "3", "2", True, id="absent-setting-is-cloudfronts-default-http2"),
    pytest.param("http", "http2and3", "2", "1.1", True, id="plain-http-is-never-http2"),
    pytest.param("http", "http2and3", "3", "1.1", True, id="plain-http-is-never-http3"),
    pytest.param("http", "http2and3", "1.0", "1.0", False, id="plain-http-1.0"),
]


@pytest.mark.parametrize(("scheme", "setting", "requested", "served", "noted"), HTTP_VERSIONS)
def test_it_serves_the_http_version_the_distribution_allows(scheme, setting, requested, served, noted):
    config = distribution_config()
    if setting is None:
        del config["HttpVersion"]
    else:
        config["HttpVersion"] = setting
    result = simulate(
        url=f"{scheme}://www.example.com/", config=config, domain_name=DOMAIN_NAME, http_version=requested
    )
    assert (result.http_version, result.served_http_version) == (requested, served)
    assert (result.http_version_note is not None) is noted


def test_a_plain_http_post_asking_for_http3_is_redirected_as_http11():
    # Simulated as HTTP/1.1, so redirect-to-https answers 307 (not the 403 of HTTP/1.0).
    config = distribution_config(default=behavior(policy="redirect-to-https", methods=ALL_METHODS))
    result = simulate(
        url="http://www.example.com/cart",
        config=config,
        domain_name=DOMAIN_NAME,
        method="POST",
        http_version="3",
    )
    assert (result.status, result.served_http_version) == (307, "1.1")
    assert "a plain http:// request is HTTP/1.1" in result.http_version_note
