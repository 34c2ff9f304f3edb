"""Behavior 6: the deterministic demo fleet, in two accounts, covering every case the issue lists."""

import boto3
import pytest

from devtools.sandbox import DEFAULT_ACCOUNT, SECOND_ACCOUNT
from tests.sandbox.conftest import second_account_client
from tests.sandbox_fixtures import sandbox_client


def fleet(client):
    """Every distribution's summary (config fields, ETag, status), as the app's sync reads them."""
    pages = client.get_paginator("list_distributions").paginate()
    return {item["Id"]: item for page in pages for item in page["DistributionList"].get("Items", [])}


def full_configs(client, ids):
    fetched = {i: client.get_distribution_config(Id=i) for i in sorted(ids)}
    return {i: (got["ETag"], got["DistributionConfig"]) for i, got in fetched.items()}


def certificates(sandbox, account_client):
    acm = account_client("acm")
    return sorted(
        (c["CertificateArn"], c["DomainName"], c["Status"])
        for c in acm.list_certificates(CertificateStatuses=["ISSUED", "PENDING_VALIDATION"])[
            "CertificateSummaryList"
        ]
    )


@pytest.fixture
def demo(sandbox):
    sandbox.reset(seed="demo")
    first = fleet(sandbox_client(sandbox, "cloudfront"))
    second = fleet(second_account_client(sandbox))
    return {"first": first, "second": second, "all": [*first.values(), *second.values()]}


def behaviors(distribution):
    return [distribution["DefaultCacheBehavior"], *distribution["CacheBehaviors"].get("Items", [])]


def origins(distribution):
    return distribution["Origins"]["Items"]


def certificate(distribution):
    return distribution["ViewerCertificate"]


def by_comment(demo, name):
    return next(d for d in demo["all"] if d["Comment"].startswith(f"{name} "))


def test_it_seeds_the_same_fleet_every_time(sandbox):
    snapshots = []
    for _ in range(2):
        sandbox.reset(seed="demo")
        first, second = sandbox_client(sandbox, "cloudfront"), second_account_client(sandbox)
        snapshots.append(
            (
                fleet(first),
                fleet(second),
                full_configs(first, fleet(first)),
                certificates(sandbox, lambda service: sandbox_client(sandbox, service)),
            )
        )
    assert snapshots[0] == snapshots[1]


def test_it_seeds_about_forty_distributions_in_two_accounts(demo):
    assert (len(demo["first"]), len(demo["second"])) == (27, 15)
    assert all(d["ARN"].split(":")[4] == DEFAULT_ACCOUNT for d in demo["first"].values())
    assert all(d["ARN"].split(":")[4] == SECOND_ACCOUNT for d in demo["second"].values())
    assert all(d["Status"] == "Deployed" for d in demo["all"])


CASES = {
    "static site on allow-all and the default certificate": lambda d: (
        certificate(d).get("CloudFrontDefaultCertificate")
        and d["DefaultCacheBehavior"]["ViewerProtocolPolicy"] == "allow-all"
    ),
    "app with /api/* https-only and /static/* redirect-to-https": lambda d: (
        {(b.get("PathPattern"), b["ViewerProtocolPolicy"]) for b in behaviors(d)}
        >= {("/api/*", "https-only"), ("/static/*", "redirect-to-https")}
    ),
    "aliases on an ACM certificate": lambda d: (
        d["Aliases"]["Quantity"] > 0 and "ACMCertificateArn" in certificate(d)
    ),
    "legacy vip on TLSv1": lambda d: (
        certificate(d).get("SSLSupportMethod") == "vip"
        and certificate(d)["MinimumProtocolVersion"] == "TLSv1"
    ),
    "http-only origin": lambda d: any(
        o.get("CustomOriginConfig", {}).get("OriginProtocolPolicy") == "http-only" for o in origins(d)
    ),
    "match-viewer origin": lambda d: any(
        o.get("CustomOriginConfig", {}).get("OriginProtocolPolicy") == "match-viewer" for o in origins(d)
    ),
    "https-only origin": lambda d: any(
        o.get("CustomOriginConfig", {}).get("OriginProtocolPolicy") == "https-only" for o in origins(d)
    ),
    "origin allowing SSLv3": lambda d: any(
        "SSLv3" in o.get("CustomOriginConfig", {}).get("OriginSslProtocols", {}).get("Items", [])
        for o in origins(d)
    ),
    "shadowed behavior": lambda d: (
        [b.get("PathPattern") for b in behaviors(d)][1:]
        and {"/img*", "/img/*", "*.jpg", "/images/*.jpg"} <= {b.get("PathPattern") for b in behaviors(d)}
    ),
    "20+ ordered behaviors": lambda d: d["CacheBehaviors"]["Quantity"] >= 20,
    "disabled": lambda d: not d["Enabled"],
}


@pytest.mark.parametrize("case", list(CASES))
def test_it_seeds_every_case_the_issue_lists(demo, case):
    assert any(CASES[case](d) for d in demo["all"])


def test_it_seeds_wildcard_certificates_and_the_ones_cloudfront_refuses(sandbox, demo):
    acm = boto3.client("acm", region_name="us-east-1")
    domains = {c["DomainName"]: c["Status"] for c in acm.list_certificates()["CertificateSummaryList"]}
    assert domains["*.example.com"] == "ISSUED"
    pending = acm.list_certificates(CertificateStatuses=["PENDING_VALIDATION"])["CertificateSummaryList"]
    assert [c["DomainName"] for c in pending] == ["beta.example.com"]
    eu = boto3.client("acm", region_name="eu-west-1").list_certificates()["CertificateSummaryList"]
    assert [c["DomainName"] for c in eu] == ["eu.example.com"]
    assert by_comment(demo, "media")["Aliases"]["Items"] == ["media.example.com"]


def test_it_reaches_the_second_account_only_through_assume_role(sandbox, demo):
    default_ids = {
        item["Id"]
        for item in sandbox_client(sandbox, "cloudfront").list_distributions()["DistributionList"]["Items"]
    }
    assumed = second_account_client(sandbox)
    assumed_ids = {item["Id"] for item in assumed.list_distributions()["DistributionList"]["Items"]}
    assert default_ids == set(demo["first"]) and assumed_ids == set(demo["second"])
    assert second_account_client(sandbox, "sts").get_caller_identity()["Account"] == SECOND_ACCOUNT


def test_it_tags_the_demo_fleet(sandbox, demo):
    shop = by_comment(demo, "shop")
    tags = sandbox_client(sandbox, "cloudfront").list_tags_for_resource(Resource=shop["ARN"])["Tags"]["Items"]
    assert {t["Key"]: t["Value"] for t in tags} == {
        "Name": "shop",
        "Team": "commerce",
        "Environment": "production",
    }
    tagged = sandbox_client(sandbox, "resourcegroupstaggingapi").get_resources(
        ResourceTypeFilters=["cloudfront:distribution"]
    )
    assert len(tagged["ResourceTagMappingList"]) == 27


def test_it_seeds_distributions_with_and_without_standard_logging(sandbox, demo):
    client = sandbox_client(sandbox, "cloudfront")
    logging = {
        by_comment(demo, name)["Id"]: client.get_distribution_config(Id=by_comment(demo, name)["Id"])[
            "DistributionConfig"
        ]["Logging"]
        for name in ("marketing-site", "shop", "docs-site", "checkout")
    }
    enabled = sorted(entry["Enabled"] for entry in logging.values())
    assert enabled == [False, True, True, True]  # every distribution logs but docs-site
    assert {entry["Bucket"] for entry in logging.values() if entry["Enabled"]} == {
        "edgeguard-demo-logs.s3.amazonaws.com"
    }
    # ListDistributions' summaries carry no Logging, as AWS's do not.
    assert all("Logging" not in summary for summary in demo["all"])
