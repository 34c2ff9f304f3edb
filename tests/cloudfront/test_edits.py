import copy
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from distributions.cloudfront.config_paths import TargetNotFound
from distributions.cloudfront.edits import (
    EditFormatError,
    Invalidate,
    ReorderBehaviors,
    SetOriginProtocolPolicy,
    SetOriginSslProtocols,
    SetViewerCertificate,
    SetViewerProtocolPolicy,
    edit_from_dict,
)
from tests.cloudfront.edit_factories import (
    ACM_ARN,
    acm_certificate,
    apply_all,
    configs,
    edits_for,
    make_config,
    origin,
    s3_origin,
)

SETTINGS = settings(deadline=None, max_examples=150)


def policies(config):
    behaviors = config["CacheBehaviors"].get("Items", [])
    return {b["PathPattern"]: b["ViewerProtocolPolicy"] for b in behaviors} | {
        "default": config["DefaultCacheBehavior"]["ViewerProtocolPolicy"]
    }


def test_it_sets_one_behavior_and_leaves_the_others_alone():
    # The remediation tool in docs/CLOUDFRONT.md §7 writes one policy over every behavior; we must not.
    config = make_config(behaviors=(("/api/*", "https-only"), ("/static/*", "allow-all")))
    edited = SetViewerProtocolPolicy("/static/*", "redirect-to-https").apply(config)
    assert policies(edited) == {
        "/api/*": "https-only",
        "/static/*": "redirect-to-https",
        "default": "allow-all",
    }


@pytest.mark.parametrize("name", ["default", "*"])
def test_it_addresses_the_default_behavior_as_default_or_star(name):
    edit = SetViewerProtocolPolicy(name, "https-only")
    assert edit.path_pattern == "default"
    assert edit.field == "DefaultCacheBehavior.ViewerProtocolPolicy"
    assert policies(edit.apply(make_config()))["default"] == "https-only"


def test_it_never_mutates_the_input_config():
    config = make_config()
    before = copy.deepcopy(config)
    edits = [
        SetViewerProtocolPolicy("/api/*", "allow-all"),
        SetOriginProtocolPolicy("web", "https-only"),
        SetOriginSslProtocols("web", ("TLSv1.2", "TLSv1.1")),
        SetViewerCertificate("acm", ACM_ARN, "sni-only", "TLSv1.2_2021"),
        ReorderBehaviors(("/static/*", "/api/*")),
    ]
    for edit in edits:
        edit.apply(config)
    assert config == before


def test_it_sets_origin_protocol_policy_and_ssl_protocols_as_a_boto3_list():
    config = SetOriginSslProtocols("web", ("TLSv1.2", "TLSv1.1")).apply(make_config())
    custom = config["Origins"]["Items"][0]["CustomOriginConfig"]
    assert custom["OriginSslProtocols"] == {"Quantity": 2, "Items": ["TLSv1.1", "TLSv1.2"]}
    config = SetOriginProtocolPolicy("web", "https-only").apply(config)
    assert config["Origins"]["Items"][0]["CustomOriginConfig"]["OriginProtocolPolicy"] == "https-only"


def test_it_treats_origin_ssl_protocols_as_a_set():
    assert SetOriginSslProtocols("web", ("TLSv1.2", "TLSv1.1")) == SetOriginSslProtocols(
        "web", ("TLSv1.1", "TLSv1.2")
    )
    config = make_config(origins=(origin("web", protocols=("TLSv1.2", "TLSv1.1")),))
    assert SetOriginSslProtocols("web", ("TLSv1.1", "TLSv1.2")).read(config) == ("TLSv1.1", "TLSv1.2")


def test_it_leaves_a_field_already_holding_the_value_as_cloudfront_wrote_it():
    config = make_config(origins=(origin("web", protocols=("TLSv1.2", "TLSv1.1")),))
    assert SetOriginSslProtocols("web", ("TLSv1.1", "TLSv1.2")).apply(config) == config


def test_it_reorders_behaviors_keeping_each_behavior_whole():
    config = make_config()
    edited = ReorderBehaviors(("/static/*", "/api/*")).apply(config)
    assert [b["PathPattern"] for b in edited["CacheBehaviors"]["Items"]] == ["/static/*", "/api/*"]
    assert edited["CacheBehaviors"]["Items"][1] == config["CacheBehaviors"]["Items"][0]
    assert edited["CacheBehaviors"]["Quantity"] == 2


def test_it_writes_an_acm_certificate_with_consistent_deprecated_mirrors():
    edit = SetViewerCertificate("acm", ACM_ARN, "sni-only", "TLSv1.2_2021")
    assert edit.apply(make_config())["ViewerCertificate"] == acm_certificate()


def test_it_writes_tlsv1_on_the_default_certificate_because_cloudfront_forces_it():
    edit = SetViewerCertificate("default", None, None, "TLSv1.2_2021")
    written = edit.apply(make_config(certificate=acm_certificate()))["ViewerCertificate"]
    assert written == {
        "CloudFrontDefaultCertificate": True,
        "MinimumProtocolVersion": "TLSv1",
        "CertificateSource": "cloudfront",
    }
    assert edit.new_value["minimum_protocol_version"] == "TLSv1"


def test_it_reads_the_default_certificate_ignoring_what_cloudfront_ignores():
    # Old distributions report SSLSupportMethod "vip" on the default certificate: not a real difference.
    config = make_config(
        certificate={
            "CloudFrontDefaultCertificate": True,
            "SSLSupportMethod": "vip",
            "MinimumProtocolVersion": "TLSv1",
        }
    )
    assert SetViewerCertificate("default").read(config) == SetViewerCertificate("default").new_value


def test_it_reads_a_certificate_named_only_by_the_deprecated_fields():
    config = make_config(
        certificate={
            "Certificate": ACM_ARN,
            "CertificateSource": "acm",
            "SSLSupportMethod": "sni-only",
            "MinimumProtocolVersion": "TLSv1.2_2021",
        }
    )
    assert SetViewerCertificate("acm").read(config)["certificate_id_or_arn"] == ACM_ARN


@pytest.mark.parametrize(
    "edit, error",
    [
        (SetViewerProtocolPolicy("/gone/*", "https-only"), "no cache behavior with path pattern /gone/*"),
        (SetOriginProtocolPolicy("nope", "https-only"), "no origin with id nope"),
        (SetOriginSslProtocols("assets", ("TLSv1.2",)), "assets is an S3 REST origin"),
        (ReorderBehaviors(("/api/*",)), "the behaviors are /api/*, /static/*"),
    ],
)
def test_it_refuses_to_apply_an_edit_whose_target_is_gone(edit, error):
    config = make_config(origins=(origin("web"), s3_origin("assets")))
    with pytest.raises(TargetNotFound, match=error.replace("*", r"\*")):
        edit.apply(config)


def test_it_handles_boto3_lists_without_items():
    config = make_config(behaviors=())
    assert config["CacheBehaviors"] == {"Quantity": 0}
    assert ReorderBehaviors(()).apply(config)["CacheBehaviors"] == {"Quantity": 0}
    with pytest.raises(TargetNotFound):
        SetViewerProtocolPolicy("/api/*", "https-only").apply(config)


def test_it_leaves_the_config_alone_for_an_invalidation():
    config = make_config()
    assert Invalidate(("/*",)).apply(config) == config
    assert Invalidate(("/*",)).field is None


@pytest.mark.parametrize(
    "edit, text",
    [
        (SetViewerProtocolPolicy("/api/*", "https-only"), "Viewer protocol policy of /api/* → https-only"),
        (
            SetViewerProtocolPolicy("*", "redirect-to-https"),
            "Viewer protocol policy of the default behavior (*) → redirect-to-https",
        ),
        (SetOriginProtocolPolicy("web", "https-only"), "Origin protocol policy of web → https-only"),
        (
            SetOriginSslProtocols("web", ("TLSv1.2", "TLSv1.1")),
            "Origin SSL protocols of web → TLSv1.1, TLSv1.2",
        ),
        (
            SetViewerCertificate("acm", ACM_ARN, "sni-only", "TLSv1.2_2021"),
            f"Viewer certificate → ACM {ACM_ARN}, sni-only, TLSv1.2_2021",
        ),
        (SetViewerCertificate("default"), "Viewer certificate → default *.cloudfront.net certificate, TLSv1"),
        (ReorderBehaviors(("/b", "/a")), "Order of cache behaviors → /b, /a"),
        (Invalidate(("/*", "/index.html")), "Invalidate /*, /index.html after deployment"),
    ],
)
def test_it_describes_each_edit_for_people(edit, text):
    assert edit.describe() == text


@pytest.mark.parametrize(
    "data, error",
    [
        (["not", "an", "object"], "an edit must be a JSON object, not a list"),
        ({"kind": "delete_distribution"}, "unknown edit kind 'delete_distribution'"),
        ({"policy": "https-only"}, "unknown edit kind None"),
        ({"kind": "set_viewer_protocol_policy", "policy": "https-only"}, "missing path_pattern"),
        (
            {"kind": "set_viewer_protocol_policy", "path_pattern": "/a", "policy": "x", "index": 3},
            "unknown index",
        ),
        (
            {"kind": "set_viewer_protocol_policy", "path_pattern": 3, "policy": "x"},
            "path_pattern must be a string, not a number",
        ),
        (
            {"kind": "set_origin_ssl_protocols", "origin_id": "web", "protocols": "TLSv1.2"},
            "protocols must be a list of strings, not a string",
        ),
        (
            {"kind": "set_origin_ssl_protocols", "origin_id": "web", "protocols": ["TLSv1.2", 1]},
            "a list containing a number",
        ),
        (
            {
                "kind": "set_viewer_certificate",
                "source": "acm",
                "certificate_id_or_arn": True,
                "minimum_protocol_version": "TLSv1",
            },
            "must be a string or null, not a boolean",
        ),
        ({"kind": "invalidate", "paths": None}, "paths must be a list of strings, not null"),
    ],
)
def test_it_rejects_malformed_edit_dicts_saying_what_is_wrong(data, error):
    with pytest.raises(EditFormatError, match=error.replace("(", r"\(").replace("*", r"\*")):
        edit_from_dict(data)


def test_it_accepts_omitted_nullable_fields():
    edit = edit_from_dict(
        {"kind": "set_viewer_certificate", "source": "default", "minimum_protocol_version": "TLSv1"}
    )
    assert edit == SetViewerCertificate("default", None, None, "TLSv1")


@SETTINGS
@given(st.data())
def test_it_round_trips_every_edit_through_json(data):
    config = data.draw(configs())
    edits = data.draw(edits_for(config)) + [Invalidate(tuple(data.draw(st.lists(st.text(), max_size=3))))]
    for edit in edits:
        assert edit_from_dict(json.loads(json.dumps(edit.to_dict()))) == edit


@SETTINGS
@given(st.data())
def test_it_gives_the_same_config_when_applying_edits_twice(data):
    config = data.draw(configs())
    edits = data.draw(edits_for(config))
    once = apply_all(edits, config)
    assert apply_all(edits, once) == once


@SETTINGS
@given(st.data())
def test_it_reads_back_the_value_each_edit_wrote(data):
    config = data.draw(configs())
    edits = data.draw(edits_for(config))
    edited = apply_all(edits, config)
    for edit in edits:
        assert edit.read(edited) == edit.new_value
