"""Behavior 3: CloudFront's validation on create and update, with AWS's codes and statuses."""

import copy

import pytest
from botocore.exceptions import ClientError

from devtools.sandbox import SECOND_ACCOUNT
from devtools.sandbox.fleet import acm_certificate, behavior, custom_origin, listing, simple_config
from tests.sandbox.conftest import error_of, second_account_client

ACCOUNT = "123456789012"


@pytest.fixture
def certificates(sandbox):
    """ARNs by name: usable ones, and each kind CloudFront refuses."""
    return {
        "wildcard": sandbox.issue_certificate("*.example.com", ["example.com"]),
        "eu": sandbox.issue_certificate("eu.example.com", region="eu-west-1"),
        "pending": sandbox.issue_certificate("beta.example.com", status="PENDING_VALIDATION"),
        "other-account": sandbox.issue_certificate("shop.example.com", account=SECOND_ACCOUNT),
        "missing": f"arn:aws:acm:us-east-1:{ACCOUNT}:certificate/00000000-0000-0000-0000-000000000000",
    }


def with_certificate(config, arn, aliases, method="sni-only", minimum="TLSv1.2_2021"):
    config["Aliases"] = listing(aliases)
    config["ViewerCertificate"] = acm_certificate(arn, method, minimum)


def set_path(config, path, value):
    *parents, last = path
    node = config
    for key in parents:
        node = node[key]
    node[last] = value


def set_methods(config, allowed, cached=("GET", "HEAD")):
    config["DefaultCacheBehavior"]["AllowedMethods"] = {**listing(allowed), "CachedMethods": listing(cached)}


SEVEN = ["GET", "HEAD", "OPTIONS", "PUT", "PATCH", "POST", "DELETE"]


def origin_config(config):
    config["Origins"] = listing([custom_origin("s3-origin", "origin.example.net")])
    return config["Origins"]["Items"][0]["CustomOriginConfig"]


REJECTED = {
    "viewer protocol policy": (
        lambda c, certs: set_path(c, ["DefaultCacheBehavior", "ViewerProtocolPolicy"], "http-only"),
        ("InvalidArgument", 400),
    ),
    "origin protocol policy": (
        lambda c, certs: origin_config(c).update(OriginProtocolPolicy="https-preferred"),
        ("InvalidArgument", 400),
    ),
    "origin ssl protocol": (
        lambda c, certs: origin_config(c).update(OriginSslProtocols=listing(["TLSv1.3"])),
        ("InvalidArgument", 400),
    ),
    "origin port": (lambda c, certs: origin_config(c).update(HTTPPort=8), ("InvalidArgument", 400)),
    "minimum protocol version": (
        lambda c, certs: with_certificate(c, certs["wildcard"], ["a.example.com"], minimum="TLSv1.4"),
        ("InvalidMinimumProtocolVersion", 400),
    ),
    "ssl support method": (
        lambda c, certs: with_certificate(c, certs["wildcard"], ["a.example.com"], method="sni"),
        ("InvalidArgument", 400),
    ),
    "certificate in eu-west-1": (
        lambda c, certs: with_certificate(c, certs["eu"], ["eu.example.com"]),
        ("InvalidViewerCertificate", 400),
    ),
    "certificate not issued": (
        lambda c, certs: with_certificate(c, certs["pending"], ["beta.example.com"]),
        ("InvalidViewerCertificate", 400),
    ),
    "certificate of another account": (
        lambda c, certs: with_certificate(c, certs["other-account"], ["shop.example.com"]),
        ("InvalidViewerCertificate", 400),
    ),
    "certificate that does not exist": (
        lambda c, certs: with_certificate(c, certs["missing"], ["a.example.com"]),
        ("InvalidViewerCertificate", 400),
    ),
    "wildcard over two labels": (
        lambda c, certs: with_certificate(c, certs["wildcard"], ["a.b.example.com"]),
        ("InvalidViewerCertificate", 400),
    ),
    "alias not covered": (
        lambda c, certs: with_certificate(c, certs["wildcard"], ["example.org"]),
        ("InvalidViewerCertificate", 400),
    ),
    "alias on the default certificate": (
        lambda c, certs: c.update(Aliases=listing(["a.example.com"])),
        ("InvalidViewerCertificate", 400),
    ),
    "quantity mismatch": (
        lambda c, certs: c.update(Aliases={"Quantity": 2, "Items": ["a.example.com"]}),
        ("InconsistentQuantities", 400),
    ),
    "nested quantity mismatch": (
        lambda c, certs: set_path(c, ["DefaultCacheBehavior", "AllowedMethods", "Quantity"], 3),
        ("InconsistentQuantities", 400),
    ),
    "unknown target origin": (
        lambda c, certs: c.update(CacheBehaviors=listing([behavior("nowhere", "https-only", "/api/*")])),
        ("NoSuchOrigin", 404),
    ),
    "vip above TLSv1": (
        lambda c, certs: with_certificate(c, certs["wildcard"], ["a.example.com"], "vip", "TLSv1.2_2021"),
        ("InvalidArgument", 400),
    ),
    "sni-only with SSLv3": (
        lambda c, certs: with_certificate(c, certs["wildcard"], ["a.example.com"], "sni-only", "SSLv3"),
        ("InvalidProtocolSettings", 400),
    ),
    # AllowedMethods: "There are three choices" (GET, HEAD / GET, HEAD, OPTIONS / all seven); CachedMethods:
    # "There are two choices" (GET, HEAD / GET, HEAD, OPTIONS): the rule in cloudfront/config_rules.py.
    "allowed methods GET, HEAD, POST": (
        lambda c, certs: set_methods(c, ["GET", "HEAD", "POST"]),
        ("InvalidArgument", 400),
    ),
    "allowed methods GET alone": (
        lambda c, certs: set_methods(c, ["GET"], ["GET"]),
        ("InvalidArgument", 400),
    ),
    "cached methods beyond the allowed ones": (
        lambda c, certs: set_methods(c, ["GET", "HEAD"], ["GET", "HEAD", "OPTIONS"]),
        ("InvalidArgument", 400),
    ),
    "cached POST": (
        lambda c, certs: set_methods(c, SEVEN, ["GET", "HEAD", "POST"]),
        ("InvalidArgument", 400),
    ),
    # "CloudFront behavior is the same with or without the leading /" (CacheBehavior.PathPattern).
    "path pattern with and without its leading slash": (
        lambda c, certs: c.update(
            CacheBehaviors=listing(
                [
                    behavior("s3-origin", "https-only", "images/*"),
                    behavior("s3-origin", "allow-all", "/images/*"),
                ]
            )
        ),
        ("InvalidArgument", 400),
    ),
    "unknown HTTP version": (lambda c, certs: c.update(HttpVersion="http4"), ("InvalidArgument", 400)),
    "76 cache behaviors": (
        lambda c, certs: c.update(
            CacheBehaviors=listing([behavior("s3-origin", "https-only", f"/p{i}/*") for i in range(76)])
        ),
        ("TooManyCacheBehaviors", 400),
    ),
}

ACCEPTED = {
    "wildcard covering one label": lambda c, certs: with_certificate(c, certs["wildcard"], ["a.example.com"]),
    "apex named in the certificate": lambda c, certs: with_certificate(c, certs["wildcard"], ["example.com"]),
    "vip on TLSv1": lambda c, certs: with_certificate(
        c, certs["wildcard"], ["a.example.com"], "vip", "TLSv1"
    ),
    "origin allowing SSLv3": lambda c, certs: origin_config(c).update(
        OriginSslProtocols=listing(["SSLv3", "TLSv1", "TLSv1.1", "TLSv1.2"])
    ),
    "all seven methods, caching OPTIONS": lambda c, certs: set_methods(c, SEVEN, ["GET", "HEAD", "OPTIONS"]),
    "GET, HEAD, OPTIONS": lambda c, certs: set_methods(c, ["OPTIONS", "HEAD", "GET"], ["HEAD", "GET"]),
    "HTTP/2 and HTTP/3": lambda c, certs: c.update(HttpVersion="http2and3"),
    "75 cache behaviors": lambda c, certs: c.update(
        CacheBehaviors=listing([behavior("s3-origin", "https-only", f"/p{i}/*") for i in range(75)])
    ),
}


@pytest.mark.parametrize("operation", ["create", "update"])
@pytest.mark.parametrize("case", list(REJECTED))
def test_it_rejects_what_cloudfront_rejects(cloudfront_client, distribution, certificates, case, operation):
    mutate, expected = REJECTED[case]
    config = copy.deepcopy(distribution["Config"])
    mutate(config, certificates)
    with pytest.raises(ClientError) as excinfo:
        if operation == "create":
            cloudfront_client.create_distribution(DistributionConfig={**config, "CallerReference": "new"})
        else:
            cloudfront_client.update_distribution(
                Id=distribution["Id"], IfMatch=distribution["ETag"], DistributionConfig=config
            )
    assert error_of(excinfo) == expected
    # A rejected update leaves the distribution as it was.
    assert cloudfront_client.get_distribution_config(Id=distribution["Id"])["ETag"] == distribution["ETag"]


@pytest.mark.parametrize("case", list(ACCEPTED))
def test_it_accepts_what_cloudfront_accepts(cloudfront_client, distribution, certificates, case):
    config = copy.deepcopy(distribution["Config"])
    ACCEPTED[case](config, certificates)
    updated = cloudfront_client.update_distribution(
        Id=distribution["Id"], IfMatch=distribution["ETag"], DistributionConfig=config
    )
    assert updated["Distribution"]["DistributionConfig"] == config


def test_it_forces_tlsv1_on_the_default_certificate(cloudfront_client):
    config = simple_config("forced")
    config["ViewerCertificate"] = {
        "CloudFrontDefaultCertificate": True,
        "MinimumProtocolVersion": "TLSv1.2_2021",
    }
    distribution_id = cloudfront_client.create_distribution(DistributionConfig=config)["Distribution"]["Id"]
    stored = cloudfront_client.get_distribution_config(Id=distribution_id)["DistributionConfig"]
    assert stored["ViewerCertificate"]["MinimumProtocolVersion"] == "TLSv1"


def test_it_rejects_a_changed_caller_reference(cloudfront_client, distribution):
    config = {**distribution["Config"], "CallerReference": "another"}
    with pytest.raises(ClientError) as excinfo:
        cloudfront_client.update_distribution(
            Id=distribution["Id"], IfMatch=distribution["ETag"], DistributionConfig=config
        )
    assert error_of(excinfo) == ("IllegalUpdate", 400)


def test_it_rejects_an_alias_used_by_another_distribution(sandbox, cloudfront_client, certificates):
    config = simple_config("first")
    with_certificate(config, certificates["wildcard"], ["www.example.com"])
    cloudfront_client.create_distribution(DistributionConfig=config)
    with pytest.raises(ClientError) as excinfo:
        cloudfront_client.create_distribution(DistributionConfig={**config, "CallerReference": "second"})
    assert error_of(excinfo) == ("CNAMEAlreadyExists", 409)


def test_it_rejects_an_alias_used_in_another_account(sandbox, cloudfront_client, certificates):
    config = simple_config("mine")
    with_certificate(config, certificates["wildcard"], ["www.example.com"])
    cloudfront_client.create_distribution(DistributionConfig=config)
    theirs = simple_config("theirs")
    with_certificate(
        theirs, sandbox.issue_certificate("www.example.com", account=SECOND_ACCOUNT), ["www.example.com"]
    )
    with pytest.raises(ClientError) as excinfo:
        second_account_client(sandbox).create_distribution(DistributionConfig=theirs)
    assert error_of(excinfo) == ("CNAMEAlreadyExists", 409)


def test_it_returns_the_same_distribution_for_the_same_caller_reference(cloudfront_client):
    first = cloudfront_client.create_distribution(DistributionConfig=simple_config("again"))
    second = cloudfront_client.create_distribution(DistributionConfig=simple_config("again"))
    assert first["Distribution"]["Id"] == second["Distribution"]["Id"]
    with pytest.raises(ClientError) as excinfo:
        cloudfront_client.create_distribution(
            DistributionConfig={**simple_config("again"), "Comment": "other"}
        )
    assert error_of(excinfo) == ("DistributionAlreadyExists", 409)
