"""Controls of docs/CLOUDFRONT.md §7 and Edgeguard's own checks, a passing and a failing fixture each."""

from datetime import UTC, datetime, timedelta

import pytest

from distributions.cloudfront.compliance import CONTROLS, DistributionFacts, Target, evaluate
from tests.cloudfront.factories import (
    ACM_ARN,
    behavior,
    certificate_record,
    custom_origin,
    distribution_config,
    origin_group,
    s3_origin,
    viewer_certificate,
)

NOW = datetime(2030, 6, 1, tzinfo=UTC)
DIST = Target("distribution")


def facts(*, moved=None, invalidated=None, **config) -> DistributionFacts:
    """A distribution with the example.com certificate record; `config` goes to `distribution_config`."""
    return DistributionFacts(
        "E1TESTDIST",
        distribution_config(**config),
        certificate=certificate_record(),
        origins_moved_to_https=moved or {},
        last_full_invalidation_at=invalidated,
    )


def behavior_target(precedence, pattern):
    return Target("behavior", precedence=precedence, path_pattern=pattern)


def origin_target(origin_id):
    return Target("origin", origin_id=origin_id)


def alias_target(alias):
    return Target("alias", alias=alias)


ALLOW_ALL = behavior(policy="allow-all")
WEBSITE = "docs-site.s3-website-us-east-1.amazonaws.com"
CASES = [
    # CloudFront.3 is evaluated on every behavior, not only the default.
    pytest.param("CloudFront.3", facts(), behavior_target(0, "*"), "pass", id="cf3-pass"),
    pytest.param(
        "CloudFront.3", facts(default=ALLOW_ALL), behavior_target(0, "*"), "fail", id="cf3-fail-default"
    ),
    pytest.param(
        "CloudFront.3",
        facts(behaviors=[behavior("/api/*", policy="https-only"), behavior("/legacy/*", policy="allow-all")]),
        behavior_target(1, "/legacy/*"),
        "fail",
        id="cf3-fail-ordered-only",
    ),
    pytest.param("CloudFront.7", facts(), DIST, "pass", id="cf7-pass"),
    pytest.param(
        "CloudFront.7", facts(certificate=viewer_certificate(), aliases=()), DIST, "fail", id="cf7-fail"
    ),
    pytest.param("CloudFront.8", facts(), DIST, "pass", id="cf8-pass"),
    pytest.param(
        "CloudFront.8",
        facts(certificate=viewer_certificate(acm_arn=ACM_ARN, ssl_support_method="vip", minimum="TLSv1")),
        DIST,
        "fail",
        id="cf8-fail-vip",
    ),
    pytest.param(
        "CloudFront.8", facts(certificate=viewer_certificate()), DIST, "not_applicable", id="cf8-na"
    ),
    pytest.param("CloudFront.9", facts(), origin_target("web"), "pass", id="cf9-pass"),
    pytest.param(
        "CloudFront.9",
        facts(origins=[custom_origin(policy="http-only")]),
        origin_target("web"),
        "fail",
        id="cf9-fail-http-only",
    ),
    pytest.param(
        "CloudFront.9",
        facts(origins=[custom_origin(policy="match-viewer")]),
        origin_target("web"),
        "pass",
        id="cf9-pass-match-viewer-behind-redirect",
    ),
    pytest.param(
        "CloudFront.9",
        facts(
            behaviors=[behavior("/old/*", origin="group", policy="allow-all")],
            origins=[custom_origin(), custom_origin("legacy", policy="match-viewer")],
            origin_groups=[origin_group("group", ["web", "legacy"])],
        ),
        origin_target("legacy"),
        "fail",
        id="cf9-fail-match-viewer-via-origin-group",
    ),
    pytest.param(
        "CloudFront.9", facts(origins=[s3_origin("web")]), origin_target("web"), "not_applicable", id="cf9-s3"
    ),
    # "If your Amazon S3 bucket is configured as a website endpoint, you can't configure CloudFront to use
    # HTTPS to communicate with your origin": a website endpoint is a custom origin, HTTP only.
    pytest.param(
        "CloudFront.9",
        facts(origins=[custom_origin(domain=WEBSITE, policy="http-only")]),
        origin_target("web"),
        "fail",
        id="cf9-fail-s3-website-endpoint",
    ),
    pytest.param(
        "CloudFront.9",
        facts(origins=[custom_origin(domain=WEBSITE, policy="match-viewer")]),
        origin_target("web"),
        "pass",
        id="cf9-pass-website-match-viewer-behind-https-only-behaviors",
    ),
    # Security Hub, CloudFront.5: "CloudFront distributions should have logging enabled".
    pytest.param("CloudFront.5", facts(), DIST, "pass", id="cf5-pass"),
    pytest.param("CloudFront.5", facts(logging=False), DIST, "fail", id="cf5-fail-logging-off"),
    # ListDistributions' DistributionSummary has no Logging: no verdict rather than a false failure.
    pytest.param(
        "CloudFront.5",
        DistributionFacts("E1TESTDIST", {k: v for k, v in distribution_config().items() if k != "Logging"}),
        DIST,
        "not_applicable",
        id="cf5-na-summary-without-logging",
    ),
    pytest.param("CloudFront.10", facts(), origin_target("web"), "pass", id="cf10-pass"),
    pytest.param(
        "CloudFront.10",
        facts(origins=[custom_origin(ssl_protocols=("SSLv3", "TLSv1.2"))]),
        origin_target("web"),
        "fail",
        id="cf10-fail-sslv3",
    ),
    # Security Hub, CloudFront.15: only distributions with custom certificates that are not configured to
    # support legacy clients (SSLSupportMethod vip, dedicated IP addresses) are evaluated.
    pytest.param(
        "CloudFront.15",
        facts(certificate=viewer_certificate(acm_arn=ACM_ARN, ssl_support_method="vip", minimum="TLSv1")),
        DIST,
        "not_applicable",
        id="cf15-vip-legacy-clients-no-finding",
    ),
    pytest.param("CloudFront.15", facts(), DIST, "pass", id="cf15-pass"),
    pytest.param(
        "CloudFront.15",
        facts(certificate=viewer_certificate(acm_arn=ACM_ARN, minimum="TLSv1.2_2019")),
        DIST,
        "fail",
        id="cf15-fail-2019",
    ),
    pytest.param(
        "CloudFront.15", facts(certificate=viewer_certificate()), DIST, "not_applicable", id="cf15-na"
    ),
    pytest.param(
        "cloudfront-security-policy-check",
        facts(certificate=viewer_certificate(acm_arn=ACM_ARN, minimum="TLSv1.2_2018")),
        DIST,
        "pass",
        id="policy-pass-2018",
    ),
    pytest.param(
        "cloudfront-security-policy-check",
        facts(certificate=viewer_certificate(acm_arn=ACM_ARN, minimum="TLSv1.1_2016")),
        DIST,
        "fail",
        id="policy-fail-1.1",
    ),
    pytest.param(
        "cloudfront-security-policy-check",
        facts(certificate=viewer_certificate(), aliases=()),
        DIST,
        "fail",
        id="policy-fail-default-forces-tlsv1",
    ),
    pytest.param(
        "edgeguard.alias-covered", facts(), alias_target("www.example.com"), "pass", id="alias-pass"
    ),
    pytest.param(
        "edgeguard.alias-covered",
        facts(aliases=["shop.example.org"]),
        alias_target("shop.example.org"),
        "fail",
        id="alias-fail-uncovered",
    ),
    pytest.param(
        "edgeguard.alias-covered",
        facts(aliases=["a.b.example.com"]),
        alias_target("a.b.example.com"),
        "fail",
        id="alias-fail-two-labels-under-wildcard",
    ),
    pytest.param(
        "edgeguard.alias-covered",
        facts(certificate=viewer_certificate()),
        alias_target("www.example.com"),
        "fail",
        id="alias-fail-default-certificate",
    ),
    pytest.param(
        "edgeguard.alias-covered",
        facts(certificate=viewer_certificate(iam_id="ASCAEXAMPLE")),
        alias_target("www.example.com"),
        "not_applicable",
        id="alias-na-iam",
    ),
    pytest.param(
        "edgeguard.shadowed-behavior",
        facts(behaviors=[behavior("/api/v1/*"), behavior("/api/*")]),
        behavior_target(1, "/api/*"),
        "pass",
        id="shadowed-pass",
    ),
    pytest.param(
        "edgeguard.shadowed-behavior",
        facts(behaviors=[behavior("/api/*"), behavior("/api/v1/*")]),
        behavior_target(1, "/api/v1/*"),
        "fail",
        id="shadowed-fail",
    ),
    pytest.param(
        "edgeguard.origin-exists", facts(), behavior_target(0, "*"), "pass", id="origin-exists-pass"
    ),
    pytest.param(
        "edgeguard.origin-exists",
        facts(behaviors=[behavior("/x/*", origin="gone")]),
        behavior_target(0, "/x/*"),
        "fail",
        id="origin-exists-fail",
    ),
    pytest.param(
        "edgeguard.origin-https-invalidated",
        facts(moved={"web": NOW - timedelta(days=3)}, invalidated=NOW - timedelta(days=2)),
        origin_target("web"),
        "pass",
        id="invalidated-pass",
    ),
    pytest.param(
        "edgeguard.origin-https-invalidated",
        facts(moved={"web": NOW - timedelta(days=3)}, invalidated=NOW - timedelta(days=4)),
        origin_target("web"),
        "fail",
        id="invalidated-fail-before-move",
    ),
    pytest.param(
        "edgeguard.origin-https-invalidated",
        facts(moved={"web": NOW - timedelta(days=3)}),
        origin_target("web"),
        "fail",
        id="invalidated-fail-never",
    ),
    pytest.param(
        "edgeguard.origin-https-invalidated",
        facts(),
        origin_target("web"),
        "not_applicable",
        id="invalidated-na",
    ),
]


@pytest.mark.parametrize(("control_id", "distribution", "target", "status"), CASES)
def test_it_evaluates_each_control_on_its_target(control_id, distribution, target, status):
    evaluation = evaluate([distribution], now=NOW)
    results = {r.target: r.status for r in evaluation.results if r.control_id == control_id}
    assert results[target] == status
    findings = [f for f in evaluation.findings if f.control_id == control_id and f.target == target]
    assert len(findings) == (status == "fail")
    for finding in findings:
        assert finding.distribution_id == "E1TESTDIST"
        assert (finding.severity, finding.title) == (
            CONTROLS[control_id].severity,
            CONTROLS[control_id].title,
        )


def test_it_counts_an_origin_group_as_an_existing_origin_and_checks_the_default_behavior_too():
    distribution = facts(
        default=behavior(origin="gone"),
        behaviors=[
            behavior("/a/*", origin="web"),
            behavior("/b/*", origin="group"),
            behavior("/c/*", origin="old"),
        ],
        origins=[custom_origin("web")],
        origin_groups=[origin_group("group", ["web"])],
    )
    findings = evaluate([distribution], now=NOW).findings
    failing = [f.target for f in findings if f.control_id == "edgeguard.origin-exists"]
    assert failing == [behavior_target(2, "/c/*"), behavior_target(3, "*")]


EXPIRY = [
    pytest.param(certificate_record(not_after=NOW + timedelta(days=31)), "pass", id="31-days"),
    pytest.param(certificate_record(not_after=NOW + timedelta(days=29)), "fail", id="29-days"),
    pytest.param(certificate_record(not_after=NOW - timedelta(days=1)), "fail", id="expired"),
    pytest.param(None, "not_applicable", id="unknown-certificate"),
]


@pytest.mark.parametrize(("record", "status"), EXPIRY)
def test_it_warns_about_certificates_expiring_within_30_days(record, status):
    distribution = DistributionFacts("E1", distribution_config(), certificate=record)
    (result,) = [
        r for r in evaluate([distribution], now=NOW).results if r.control_id == "edgeguard.certificate-expiry"
    ]
    assert result.status == status


def test_it_finds_nothing_on_a_compliant_distribution():
    config = distribution_config(behaviors=[behavior("/api/*", policy="https-only"), behavior("/static/*")])
    assert (
        evaluate([DistributionFacts("E1", config, certificate=certificate_record())], now=NOW).findings == ()
    )


def test_it_says_what_to_do_in_every_finding():
    config = distribution_config(
        default=behavior(policy="allow-all"),
        behaviors=[behavior("/*"), behavior("/api/*", origin="gone")],
        origins=[custom_origin(policy="http-only", ssl_protocols=("SSLv3",))],
        aliases=["shop.example.org"],
        certificate=viewer_certificate(acm_arn=ACM_ARN, ssl_support_method="vip", minimum="TLSv1"),
        logging=False,
    )
    distribution = DistributionFacts("E1", config, certificate_record(not_after=NOW), {"web": NOW}, None)
    findings = evaluate([distribution], now=NOW).findings
    # A vip distribution is out of CloudFront.15's scope.
    assert {f.control_id for f in findings} == set(CONTROLS) - {"CloudFront.7", "CloudFront.15"}
    verbs = (
        "Set",
        "Attach",
        "Remove",
        "Switch",
        "Issue",
        "Renew",
        "Move",
        "Point",
        "Invalidate",
        "Make sure",
        "Turn on",
    )
    for finding in findings:
        assert any(verb in finding.message for verb in verbs), finding.message


def test_it_counts_passing_behaviors_for_the_posture_page():
    config = distribution_config(
        behaviors=[behavior("/a/*"), behavior("/b/*", policy="allow-all"), behavior("/c/*")]
    )
    tally = evaluate([DistributionFacts("E1", config)], now=NOW).tally()
    assert (tally["CloudFront.3"]["pass"], tally["CloudFront.3"]["fail"]) == (3, 1)
    assert tally["edgeguard.shadowed-behavior"]["pass"] == 3


def test_it_counts_distributions_failing_a_control_once():
    failing = distribution_config(
        behaviors=[behavior("/a/*", policy="allow-all"), behavior("/b/*", policy="allow-all")]
    )
    passing = distribution_config()
    fleet = [
        DistributionFacts("E1", failing),
        DistributionFacts("E2", passing),
        DistributionFacts("E3", passing),
    ]
    tally = evaluate(fleet, now=NOW).distribution_tally()
    assert (tally["CloudFront.3"]["fail"], tally["CloudFront.3"]["pass"]) == (1, 2)
    assert tally["edgeguard.origin-https-invalidated"]["not_applicable"] == 3
