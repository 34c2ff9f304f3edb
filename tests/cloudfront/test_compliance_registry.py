"""The control registry and the fixes each control declares: pure, no Django."""

import dataclasses
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from distributions.cloudfront.compliance import (
    CONTROLS,
    DISTRIBUTION,
    Control,
    DistributionFacts,
    Finding,
    Target,
    evaluate,
    evaluate_distribution,
    finding_fix,
    registered,
)
from distributions.cloudfront.compliance.scope import SECURITY_HUB_CONTROLS
from distributions.cloudfront.edits import SetOriginSslProtocols, SetViewerCertificate
from tests.cloudfront.factories import (
    ACM_ARN,
    behavior,
    certificate_record,
    custom_origin,
    distribution_config,
    s3_origin,
    viewer_certificate,
)

# The posture page, the snapshots and the trend list the controls in this order.
PAGE_ORDER = [
    "CloudFront.3",
    "CloudFront.7",
    "CloudFront.8",
    "CloudFront.9",
    "CloudFront.10",
    "CloudFront.5",
    "CloudFront.15",
    "cloudfront-security-policy-check",
    "edgeguard.alias-covered",
    "edgeguard.certificate-expiry",
    "edgeguard.shadowed-behavior",
    "edgeguard.origin-exists",
    "edgeguard.origin-https-invalidated",
]


class AlwaysFails(Control):
    id = "test.always-fails"
    severity = "low"
    title = "Always fails"

    def check(self, ctx):
        yield DISTRIBUTION, "fail", "Fails."


def finding(control_id: str, target: Target = DISTRIBUTION) -> Finding:
    return Finding(control_id, "medium", "t", "m", "E1", target)


def test_it_lists_the_controls_in_the_order_pages_show_them():
    assert list(CONTROLS) == PAGE_ORDER


def test_it_refuses_a_second_control_with_an_id_already_registered():
    class Impostor(AlwaysFails):
        id = "CloudFront.3"

    with pytest.raises(ValueError, match="CloudFront.3"), registered(Impostor):
        pass
    assert type(CONTROLS["CloudFront.3"]).__name__ == "ViewerHttps"


def test_it_unregisters_a_control_even_when_the_block_fails():
    with pytest.raises(RuntimeError), registered(AlwaysFails):
        raise RuntimeError
    assert list(CONTROLS) == PAGE_ORDER


def test_it_says_why_a_control_without_a_fix_needs_a_person():
    with registered(AlwaysFails):
        assert finding_fix(finding(AlwaysFails.id), {}).reason.startswith("Needs a person's choice")
    assert finding_fix(finding("CloudFront.7"), {}).reason.startswith("Needs a choice of certificate")
    assert finding_fix(finding("gone.control"), {}).reason.startswith("Needs a person's choice")


def test_it_drops_only_sslv3_from_an_origin_and_keeps_tls12_when_nothing_is_left():
    config = distribution_config(
        origins=[
            custom_origin("web", ssl_protocols=("SSLv3", "TLSv1.1")),
            custom_origin("old", ssl_protocols=("SSLv3",)),
        ]
    )
    fixes = [
        finding_fix(finding("CloudFront.10", Target("origin", origin_id=o)), config) for o in ("web", "old")
    ]
    assert [f.edits for f in fixes] == [
        (SetOriginSslProtocols(origin_id="web", protocols=("TLSv1.1",)),),
        (SetOriginSslProtocols(origin_id="old", protocols=("TLSv1.2",)),),
    ]


@pytest.mark.parametrize("control_id", ["CloudFront.15", "cloudfront-security-policy-check"])
def test_it_fixes_the_security_policy_only_where_no_choice_is_needed(control_id):
    sni = distribution_config(certificate=viewer_certificate(acm_arn=ACM_ARN, minimum="TLSv1.1_2016"))
    vip = distribution_config(
        certificate=viewer_certificate(acm_arn=ACM_ARN, ssl_support_method="vip", minimum="TLSv1")
    )
    default = distribution_config(certificate=viewer_certificate(), aliases=())

    (edit,) = finding_fix(finding(control_id), sni).edits
    assert isinstance(edit, SetViewerCertificate) and edit.minimum_protocol_version == "TLSv1.2_2021"
    assert (edit.certificate_id_or_arn, edit.ssl_support_method) == (ACM_ARN, "sni-only")
    assert "sni-only" in finding_fix(finding(control_id), vip).reason
    assert "attach a custom certificate" in finding_fix(finding(control_id), default).reason


def test_it_imports_nothing_from_django_or_boto3():
    code = (
        "import sys, distributions.cloudfront.compliance; "
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'django', 'boto3', 'botocore'}))"
    )
    root = Path(__file__).resolve().parents[2]
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=root)
    assert out.stdout.strip() == "[]"


def test_it_needs_a_person_to_turn_on_logging_since_it_needs_a_bucket():
    fix = finding_fix(finding("CloudFront.5"), distribution_config(logging=False))
    assert fix.edits == () and "S3 bucket" in fix.reason


def test_it_never_sets_an_s3_website_endpoint_to_https_only():
    # Website endpoints speak HTTP only: https-only would break the site, so a person moves it to S3 REST.
    website = custom_origin(domain="docs.s3-website-us-east-1.amazonaws.com", policy="http-only")
    fix = finding_fix(
        finding("CloudFront.9", Target("origin", origin_id="web")), distribution_config(origins=[website])
    )
    assert fix.edits == () and "REST endpoint" in fix.reason


def test_the_security_hub_scope_lists_every_cloudfront_control_edgeguard_evaluates():
    evaluated = {c.id for c in SECURITY_HUB_CONTROLS if c.evaluated}
    assert [c.id for c in SECURITY_HUB_CONTROLS] == [f"CloudFront.{n}" for n in range(1, 18)]
    assert evaluated == {control_id for control_id in CONTROLS if control_id.startswith("CloudFront.")}
    assert all(c.why.endswith(".") and "\n" not in c.why for c in SECURITY_HUB_CONTROLS)


@given(
    st.lists(st.text(max_size=5), min_size=5, max_size=5),
    st.sampled_from([DISTRIBUTION, Target("alias", alias="a")]),
)
def test_a_finding_is_the_frozen_value_its_fields_make(texts, target):
    # Finding fills its fields in one call rather than through the generated __init__: still a frozen value.
    names = [f.name for f in dataclasses.fields(Finding)]
    values = dict(zip(names, [*texts, target], strict=True))
    found = Finding(*values.values())
    assert found == Finding(**values) and hash(found) == hash(Finding(**values))
    assert (
        dataclasses.asdict(found)
        == dataclasses.asdict(dataclasses.replace(found))
        == {
            **values,
            "target": dataclasses.asdict(target),
        }
    )
    assert found != dataclasses.replace(found, message=values["message"] + "!")
    with pytest.raises(dataclasses.FrozenInstanceError):
        found.message = "changed"  # type: ignore[misc]


@given(
    st.sampled_from(["distribution", "behavior", "origin", "alias"]),
    st.integers(0, 30) | st.none(),
    st.text(max_size=5),
)
def test_a_target_is_the_frozen_value_its_fields_make(kind, precedence, name):
    # Target fills its fields in one call rather than through the generated __init__, defaults included.
    target = Target(kind, precedence, name, alias=name)
    assert target == Target(kind=kind, precedence=precedence, path_pattern=name, origin_id=None, alias=name)
    assert dataclasses.asdict(target) == {
        "kind": kind,
        "precedence": precedence,
        "path_pattern": name,
        "origin_id": None,
        "alias": name,
    }
    assert Target(kind) == dataclasses.replace(target, precedence=None, path_pattern=None, alias=None)
    assert hash(target) == hash(dataclasses.replace(target))
    with pytest.raises(dataclasses.FrozenInstanceError):
        target.alias = "changed"  # type: ignore[misc]


NOW = datetime(2030, 6, 1, tzinfo=UTC)
POLICIES = st.sampled_from(["allow-all", "redirect-to-https", "https-only"])


@st.composite
def distributions(draw):
    """A distribution mixing what fleets hold: shadowed and missing-origin behaviors, plain HTTP, old
    policies, uncovered aliases, expiring certificates, origins moved to HTTPS."""
    shapes = st.sampled_from(["/api/*", "/api/v1/*", "*.jpg", "/img/*.jpg", "/health", "/a?", "/x/*"])
    targets = st.sampled_from(["web", "assets", "gone"])
    behaviors = draw(st.lists(st.tuples(shapes, targets, POLICIES), max_size=8))
    origins = [
        custom_origin("web", policy=draw(st.sampled_from(["https-only", "match-viewer", "http-only"])))
    ]
    certificate = draw(st.sampled_from([None, viewer_certificate(acm_arn=ACM_ARN, minimum="TLSv1.1_2016")]))
    config = distribution_config(
        default=behavior(policy=draw(POLICIES)),
        behaviors=[behavior(p, origin=o, policy=policy) for p, o, policy in behaviors],
        origins=[*origins, s3_origin("assets")],
        aliases=draw(st.lists(st.sampled_from(["www.example.com", "a.b.example.com", "x.org"]), max_size=2)),
        certificate=certificate,
        logging=draw(st.booleans()),
    )
    days = draw(st.integers(-5, 60))
    moved = {"web": NOW - timedelta(days=3)} if draw(st.booleans()) else {}
    return DistributionFacts(
        "E1", config, certificate_record(not_after=NOW + timedelta(days=days)), moved, None
    )


@given(distributions())
def test_a_distribution_is_counted_as_every_result_kept_would_count_it(facts):
    # evaluate_distribution counts in C and keeps only the failures: the same as evaluate's results.
    kept = evaluate([facts], now=NOW)
    found = evaluate_distribution(facts, now=NOW)
    assert found.findings == kept.findings
    tally = {cid: (c["pass"], c["fail"], c["not_applicable"]) for cid, c in kept.tally().items() if c}
    assert found.counts == tally and list(found.counts) == list(tally)
