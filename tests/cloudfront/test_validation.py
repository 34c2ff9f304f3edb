import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from distributions.cloudfront.certificates import CertificateRecord
from distributions.cloudfront.edits import (
    Invalidate,
    ReorderBehaviors,
    SetOriginProtocolPolicy,
    SetOriginSslProtocols,
    SetViewerCertificate,
    SetViewerProtocolPolicy,
)
from distributions.cloudfront.validation import encode_invalidation_path, validate_edits
from tests.cloudfront.edit_factories import (
    ACM_ARN,
    EU_ACM_ARN,
    OTHER_ACM_ARN,
    configs,
    edits_for,
    make_config,
    origin,
    s3_origin,
)

CERTIFICATES = (
    CertificateRecord(ACM_ARN, ("example.com", "*.example.com")),
    CertificateRecord(OTHER_ACM_ARN, ("shop.example.org",), status="PENDING_VALIDATION"),
    CertificateRecord(EU_ACM_ARN, ("www.example.com",)),
)
CONFIG = make_config(origins=(origin("web"), s3_origin("assets")), aliases=("www.example.com",))
IAM_ID = "ASCAJRRE5XYF52TKRY5M4"


def problems(edits, config=CONFIG, severity="error"):
    errors = validate_edits(edits, config, certificates=CERTIFICATES)
    return [(e.edit_index, e.field, e.code) for e in errors if e.severity == severity]


def messages(edits, config=CONFIG):
    return " | ".join(e.message for e in validate_edits(edits, config, certificates=CERTIFICATES))


def acm(arn=ACM_ARN, method="sni-only", version="TLSv1.2_2021"):
    return SetViewerCertificate("acm", arn, method, version)


VALID_EDITS = [
    SetViewerProtocolPolicy("/api/*", "redirect-to-https"),
    SetViewerProtocolPolicy("default", "https-only"),
    SetOriginProtocolPolicy("web", "https-only"),
    SetOriginSslProtocols("web", ("TLSv1.2",)),
    acm(),
    ReorderBehaviors(("/static/*", "/api/*")),
    Invalidate(("/*", "/index.html", "/caf%C3%A9")),
]


@pytest.mark.parametrize("edit", VALID_EDITS, ids=lambda edit: edit.kind)
def test_it_accepts_edits_cloudfront_accepts(edit):
    assert problems([edit]) == []


@pytest.mark.parametrize(
    "edit, expected",
    [
        (SetViewerProtocolPolicy("/api/*", "https"), (0, "policy", "invalid_choice")),
        (SetViewerProtocolPolicy("/gone/*", "https-only"), (0, "path_pattern", "no_such_target")),
        (SetOriginProtocolPolicy("web", "tls-only"), (0, "policy", "invalid_choice")),
        (SetOriginProtocolPolicy("nope", "https-only"), (0, "origin_id", "no_such_target")),
        (SetOriginProtocolPolicy("assets", "https-only"), (0, "origin_id", "no_such_target")),
        (SetOriginSslProtocols("web", ()), (0, "protocols", "required")),
        (SetOriginSslProtocols("web", ("TLSv1.3",)), (0, "protocols", "invalid_choice")),
        (SetOriginSslProtocols("web", ("TLSv1.2", "TLSv1.2")), (0, "protocols", "duplicate")),
        (SetViewerCertificate("acme", ACM_ARN, "sni-only", "TLSv1"), (0, "source", "invalid_choice")),
        (acm(method="dedicated"), (0, "ssl_support_method", "invalid_choice")),
        (acm(version="TLSv1.4"), (0, "minimum_protocol_version", "invalid_choice")),
    ],
)
def test_it_refuses_values_and_targets_cloudfront_does_not_have(edit, expected):
    assert problems([edit]) == [expected]


@pytest.mark.parametrize(
    "edit, code, says",
    [
        (acm(arn=EU_ACM_ARN), "certificate_region", "request or import it in us-east-1"),
        (acm(arn="arn:aws:acm:us-east-1:123456789012:certificate/unknown"), "unknown_certificate", "sync"),
        (
            acm(arn="arn:aws:iam::123456789012:server-certificate/x"),
            "invalid_arn",
            "not an ACM certificate ARN",
        ),
        (acm(arn=OTHER_ACM_ARN), "certificate_not_issued", "PENDING_VALIDATION, not ISSUED"),
        (
            acm(method="vip", version="TLSv1.2_2021"),
            "vip_protocol_version",
            "MinimumProtocolVersion cannot be used with the specified SSLSupportMethod",
        ),
        (acm(method="sni-only", version="SSLv3"), "invalid_protocol_settings", "InvalidProtocolSettings"),
        (
            SetViewerCertificate("iam", "my-cert", "sni-only", "TLSv1.2_2021"),
            "invalid_iam_certificate_id",
            "not an IAM server certificate id",
        ),
        (SetViewerCertificate("default"), "aliases_need_custom_certificate", "www.example.com"),
    ],
)
def test_it_refuses_certificates_cloudfront_would_reject_saying_what_to_do(edit, code, says):
    assert code in [c for _, _, c in problems([edit])]
    assert says in messages([edit])


@pytest.mark.parametrize(
    "aliases, uncovered",
    [
        (("www.example.com", "example.com"), []),
        (("a.example.com",), []),
        (("a.b.example.com",), ["a.b.example.com"]),
        (("example.org", "www.example.com"), ["example.org"]),
    ],
)
def test_it_requires_the_certificate_to_cover_every_alias_with_one_label_wildcards(aliases, uncovered):
    config = make_config(aliases=aliases)
    found = problems([acm()], config)
    assert found == ([(0, "certificate_id_or_arn", "certificate_does_not_cover_alias")] if uncovered else [])
    for alias in uncovered:
        assert alias in messages([acm()], config)


@pytest.mark.parametrize(
    "edit, warning",
    [
        (SetViewerCertificate("default", None, None, "TLSv1.2_2021"), "forced_by_default_certificate"),
        (SetViewerCertificate("default", None, "sni-only", "TLSv1"), "ignored"),
        (acm(method="vip", version="TLSv1"), "vip_cost"),
        (acm(method="static-ip"), "static_ip_approval"),
        (SetViewerCertificate("iam", IAM_ID, "sni-only", "TLSv1.2_2021"), "unchecked_iam_certificate"),
        (SetOriginSslProtocols("web", ("SSLv3", "TLSv1.2")), "deprecated_protocol"),
    ],
)
def test_it_warns_without_blocking_where_cloudfront_accepts_but_surprises(edit, warning):
    config = make_config()
    assert problems([edit], config) == []
    assert [code for _, _, code in problems([edit], config, "warning")] == [warning]


@pytest.mark.parametrize(
    "path, says",
    [
        ("index.html", "use /index.html"),
        ("/images/*.jpg", "only allowed as the last character"),
        ("/" + "a" * 4000, "longer than 4000 characters"),
        ("/café/*", "é: non-ASCII characters and those unsafe in URLs (RFC 1738) must be URL-encoded"),
    ],
)
def test_it_refuses_invalidation_paths_cloudfront_rejects(path, says):
    edits = [Invalidate(("/*", path))]
    assert problems(edits) == [(0, "paths[1]", "invalid_path")]
    assert says in messages(edits)


@pytest.mark.parametrize(
    "path, says",
    [
        ("/index.html\r", "a control character (CR) at position 12"),
        ("/a\nb", "a control character (LF) at position 3: remove it, or if the URL really holds it"),
        ("/a\tb", "a control character (TAB) at position 3"),
        ("/a\x00b", "a control character (NUL) at position 3"),
        ("/a\x1bb", "a control character (U+001B) at position 3"),
        ("/a\x7f", "a control character (DEL) at position 3"),
        ("/caf\u00e9\x0b", "(U+000B) at position 6: remove it, or if the URL really holds it, URL-encode"),
        ("/caf\u00e9\x0b", "URL-encode it: use /caf%C3%A9%0B"),
    ],
)
def test_it_refuses_control_characters_in_invalidation_paths_saying_which_and_where(path, says):
    edits = [Invalidate(("/*", path))]
    assert problems(edits) == [(0, "paths[1]", "invalid_path")]
    assert says in messages(edits)


def test_it_refuses_an_invalidation_without_paths():
    assert problems([Invalidate(())]) == [(0, "paths", "required")]
    assert "give at least one path, e.g. /*" in messages([Invalidate(())])


# The guide ("Invalidation paths"): "If the path includes non-ASCII characters or unsafe characters as
# defined in RFC 1738, URL-encode those characters. Do not URL-encode any other characters in the path, or
# CloudFront will not invalidate the old version of the updated file." RFC 1738 §2.2's unsafe characters:
# space < > " # % { } | \ ^ ~ [ ] `.
UNSAFE = [
    pytest.param("/my file.jpg", "/my%20file.jpg", id="space"),
    pytest.param("/a<b>.html", "/a%3Cb%3E.html", id="angle-brackets"),
    pytest.param('/say"hi".txt', "/say%22hi%22.txt", id="quote"),
    pytest.param("/page#top", "/page%23top", id="hash"),
    pytest.param("/100%", "/100%25", id="lone-percent"),
    pytest.param("/a{b}|c", "/a%7Bb%7D%7Cc", id="braces-and-pipe"),
    pytest.param("/a\\b^c", "/a%5Cb%5Ec", id="backslash-and-caret"),
    pytest.param("/~user/index.html", "/%7Euser/index.html", id="tilde"),
    pytest.param("/list[1]", "/list%5B1%5D", id="square-brackets"),
    pytest.param("/`cmd`", "/%60cmd%60", id="backtick"),
    pytest.param("/café/*", "/caf%C3%A9/*", id="non-ascii"),
]


@pytest.mark.parametrize(("path", "encoded"), UNSAFE)
def test_it_refuses_unencoded_unsafe_characters_and_gives_the_encoded_path(path, encoded):
    assert encode_invalidation_path(path) == encoded
    edits = [Invalidate((path,))]
    assert problems(edits) == [(0, "paths[0]", "invalid_path")]
    assert (
        f"URL-encoded, and no others, or CloudFront does not invalidate the cached file: use {encoded}"
        in (messages(edits))
    )
    assert problems([Invalidate((encoded,))]) == []


SAFE = [
    pytest.param("/a%20b.jpg", id="already-encoded"),
    pytest.param("/caf%c3%a9/*", id="lowercase-encoding"),
    pytest.param("/images/image.jpg?parameter1=a&b=2", id="query-string"),
    pytest.param("/a-b_c.d!$'()*", id="reserved-and-safe-characters"),
    pytest.param("/v1/@me:+,;=", id="more-reserved-characters"),
]


@pytest.mark.parametrize("path", SAFE)
def test_it_encodes_nothing_else(path):
    assert encode_invalidation_path(path) == path
    assert problems([Invalidate((path,))]) == []


@pytest.mark.parametrize(
    "files, wildcards, code",
    [
        (3000, 15, None),
        (3001, 0, "too_many_paths"),
        (0, 16, "too_many_wildcards"),
    ],
)
def test_it_keeps_invalidations_within_cloudfronts_in_progress_limits(files, wildcards, code):
    paths = [f"/f{i}" for i in range(files)] + [f"/w{i}/*" for i in range(wildcards)]
    # Split across two edits: the change's invalidations go out together, so the limits bound the sum.
    half = len(paths) // 2
    edits = [Invalidate(tuple(paths[:half])), Invalidate(tuple(paths[half:]))]
    assert problems(edits) == ([] if code is None else [(1, "paths", code)])


@pytest.mark.parametrize(
    "order, says",
    [
        (("/api/*",), "/static/* missing"),
        (("/api/*", "/static/*", "*"), "* not a behavior of this distribution"),
        (("/api/*", "/api/*", "/static/*"), "/api/* listed twice"),
    ],
)
def test_it_requires_a_reorder_to_be_a_permutation_of_the_behaviors(order, says):
    edits = [ReorderBehaviors(order)]
    assert problems(edits) == [(0, "path_patterns", "not_a_permutation")]
    assert says in messages(edits)


@pytest.mark.parametrize(
    "behaviors, order, code, says",
    [
        ((("/api/*", "https-only"),), (), "required", "give every ordered behavior in the new order: /api/*"),
        ((), (), "nothing_to_reorder", "no ordered behaviors, only the default (*): nothing to reorder"),
        ((), ("/api/*",), "nothing_to_reorder", "nothing to reorder"),
    ],
)
def test_it_refuses_a_reorder_that_would_reorder_nothing(behaviors, order, code, says):
    config = make_config(behaviors=behaviors)
    edits = [ReorderBehaviors(order)]
    assert problems(edits, config) == [(0, "path_patterns", code)]
    assert says in messages(edits, config)


def test_it_refuses_two_edits_setting_one_field_to_different_values():
    edits = [SetViewerProtocolPolicy("*", "https-only"), SetViewerProtocolPolicy("default", "allow-all")]
    assert problems(edits) == [(1, "", "conflicting_edits")]
    assert "edit 1 already sets Viewer protocol policy of the default behavior (*) to https-only" in messages(
        edits
    )


def test_it_allows_the_same_edit_twice():
    assert problems([SetViewerProtocolPolicy("/api/*", "https-only")] * 2) == []


@settings(deadline=None, max_examples=100)
@given(st.data())
def test_it_accepts_every_generated_change_except_for_certificates(data):
    config = data.draw(configs())
    edits = [e for e in data.draw(edits_for(config)) if not isinstance(e, SetViewerCertificate)]
    assert problems(edits, config) == []
