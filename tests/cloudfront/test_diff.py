import copy
import hashlib
import json
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from distributions.cloudfront.diff import (
    EditChange,
    diff_configs,
    origin_moved_to_https,
    plan_diff,
    plan_hash,
)
from distributions.cloudfront.edits import (
    Invalidate,
    ReorderBehaviors,
    SetOriginProtocolPolicy,
    SetOriginSslProtocols,
    SetViewerCertificate,
    SetViewerProtocolPolicy,
)
from tests.cloudfront.edit_factories import ACM_ARN, behavior, configs, edits_for, make_config, origin, wrap

CONFIG = make_config(
    behaviors=(("/api/*", "allow-all"), ("/static/*", "allow-all"), ("/img/*", "https-only")),
    origins=(origin("web"), origin("api", "match-viewer")),
    aliases=("www.example.com",),
)


def lines(before, after):
    return [(change.path, change.describe()) for change in diff_configs(before, after)]


def test_it_shows_nothing_for_equal_configs():
    assert diff_configs(CONFIG, copy.deepcopy(CONFIG)) == []


def test_it_addresses_behaviors_and_origins_by_their_natural_key():
    after = SetViewerProtocolPolicy("/static/*", "redirect-to-https").apply(CONFIG)
    after = SetOriginProtocolPolicy("api", "https-only").apply(after)
    after = SetOriginSslProtocols("api", ("TLSv1.2", "TLSv1.1")).apply(after)
    assert lines(CONFIG, after) == [
        (
            "Origins[api].CustomOriginConfig.OriginProtocolPolicy",
            "Origin protocol policy of api: match-viewer → https-only",
        ),
        (
            "Origins[api].CustomOriginConfig.OriginSslProtocols",
            "Origin SSL protocols of api: TLSv1.2 → TLSv1.1, TLSv1.2",
        ),
        (
            "CacheBehaviors[/static/*].ViewerProtocolPolicy",
            "Viewer protocol policy of /static/*: allow-all → redirect-to-https",
        ),
    ]


def test_it_shows_a_reordering_as_one_change():
    after = ReorderBehaviors(("/img/*", "/api/*", "/static/*")).apply(CONFIG)
    assert lines(CONFIG, after) == [
        (
            "CacheBehaviors.order",
            "Order of cache behaviors: Moved /img/* from 2 to 0",
        )
    ]


def test_it_shows_added_and_removed_behaviors_without_a_spurious_reordering():
    after = copy.deepcopy(CONFIG)
    after["CacheBehaviors"] = wrap([*CONFIG["CacheBehaviors"]["Items"][1:], behavior("/new/*")])
    assert lines(CONFIG, after) == [
        ("CacheBehaviors[/api/*]", "Cache behavior /api/*: removed"),
        ("CacheBehaviors[/new/*]", "Cache behavior /new/*: added"),
    ]


def test_it_shows_the_certificate_change_without_the_deprecated_mirrors():
    after = SetViewerCertificate("acm", ACM_ARN, "sni-only", "TLSv1.2_2021").apply(CONFIG)
    assert lines(CONFIG, after) == [
        (
            "ViewerCertificate.CloudFrontDefaultCertificate",
            "Uses the default *.cloudfront.net certificate: True → False",
        ),
        (
            "ViewerCertificate.MinimumProtocolVersion",
            "Security policy (minimum protocol version): TLSv1 → TLSv1.2_2021",
        ),
        ("ViewerCertificate.ACMCertificateArn", f"Viewer certificate (ACM): added ({ACM_ARN})"),
        ("ViewerCertificate.SSLSupportMethod", "SSL support method: added (sni-only)"),
    ]


def test_it_treats_lists_of_names_as_sets():
    reordered = copy.deepcopy(CONFIG)
    reordered["DefaultCacheBehavior"]["AllowedMethods"]["Items"] = ["GET", "HEAD"]
    assert diff_configs(CONFIG, reordered) == []
    more = copy.deepcopy(CONFIG)
    more["Aliases"] = wrap(["www.example.com", "example.com"])
    assert lines(CONFIG, more) == [
        ("Aliases", "Alternate domain names: www.example.com → www.example.com, example.com")
    ]


def test_it_does_not_report_quantity_apart_from_its_items():
    after = copy.deepcopy(CONFIG)
    after["Aliases"] = {"Quantity": 0}
    assert [change.path for change in diff_configs(CONFIG, after)] == ["Aliases"]


@pytest.mark.parametrize(
    "before, after, moved",
    [
        ("http-only", "https-only", True),
        ("match-viewer", "https-only", True),
        ("https-only", "https-only", False),
        ("http-only", "match-viewer", False),
        ("https-only", "http-only", False),
    ],
)
def test_it_finds_origins_moved_to_https_which_need_an_invalidation(before, after, moved):
    planned = make_config(origins=(origin("web", before), origin("other", "http-only")))
    assert origin_moved_to_https(planned, SetOriginProtocolPolicy("web", after).apply(planned)) == (
        ["web"] if moved else []
    )


def test_it_does_not_count_a_new_https_origin_as_moved():
    after = copy.deepcopy(CONFIG)
    after["Origins"] = wrap([*CONFIG["Origins"]["Items"], origin("new", "https-only")])
    assert origin_moved_to_https(CONFIG, after) == []


PLAN = {
    "E2QWRUHAPOMQZL": [SetViewerProtocolPolicy("/api/*", "https-only"), Invalidate(("/*",))],
    "E1UQ5OTKXJ0CYD": [SetViewerCertificate("acm", ACM_ARN, "sni-only", "TLSv1.2_2021")],
}
ETAGS = {"E2QWRUHAPOMQZL": "E2VBA7CYXEXAMPLE", "E1UQ5OTKXJ0CYD": "E3UN6WX5RRO2AG"}


def shuffled(mapping, seed):
    keys = list(mapping)
    random.Random(seed).shuffle(keys)
    return {key: mapping[key] for key in keys}


def as_stored(plan, seed):
    # What the database hands back: JSON dicts, with their keys in any order.
    return {dist: [shuffled(edit.to_dict(), seed) for edit in edits] for dist, edits in plan.items()}


@settings(deadline=None, max_examples=50)
@given(st.integers())
def test_it_hashes_a_plan_the_same_whatever_the_key_order(seed):
    expected = plan_hash(PLAN, ETAGS)
    assert plan_hash(shuffled(as_stored(PLAN, seed), seed), shuffled(ETAGS, seed + 1)) == expected
    assert len(expected) == 64


def test_it_hashes_equivalent_spellings_of_an_edit_the_same():
    star = {"E2QWRUHAPOMQZL": [SetViewerProtocolPolicy("*", "https-only")]}
    default = {
        "E2QWRUHAPOMQZL": [
            {"kind": "set_viewer_protocol_policy", "path_pattern": "default", "policy": "https-only"}
        ]
    }
    etags = {"E2QWRUHAPOMQZL": "E2VBA7CYXEXAMPLE"}
    assert plan_hash(star, etags) == plan_hash(default, etags)


@pytest.mark.parametrize(
    "plan, etags",
    [
        (
            {
                **PLAN,
                "E2QWRUHAPOMQZL": [
                    SetViewerProtocolPolicy("/api/*", "redirect-to-https"),
                    Invalidate(("/*",)),
                ],
            },
            ETAGS,
        ),
        (
            {
                **PLAN,
                "E2QWRUHAPOMQZL": [Invalidate(("/*",)), SetViewerProtocolPolicy("/api/*", "https-only")],
            },
            ETAGS,
        ),
        ({**PLAN, "E2QWRUHAPOMQZL": [SetViewerProtocolPolicy("/api/*", "https-only")]}, ETAGS),
        ({"E2QWRUHAPOMQZL": PLAN["E1UQ5OTKXJ0CYD"], "E1UQ5OTKXJ0CYD": PLAN["E2QWRUHAPOMQZL"]}, ETAGS),
        (PLAN, {**ETAGS, "E1UQ5OTKXJ0CYD": "E3UN6WX5RRO2AH"}),
    ],
    ids=["edit value", "edit order", "edit removed", "distribution swapped", "etag"],
)
def test_it_changes_the_hash_when_anything_in_the_plan_changes(plan, etags):
    assert plan_hash(plan, etags) != plan_hash(PLAN, ETAGS)


@settings(deadline=None, max_examples=100)
@given(st.data())
def test_it_changes_the_hash_for_any_edit_change(data):
    config = data.draw(configs())
    edits, others = data.draw(edits_for(config)), data.draw(edits_for(config))
    same = [edit.to_dict() for edit in edits] == [edit.to_dict() for edit in others]
    assert (plan_hash({"D": edits}, {"D": "E"}) == plan_hash({"D": others}, {"D": "E"})) == same


def test_it_refuses_to_hash_a_plan_missing_a_base_etag():
    with pytest.raises(ValueError, match="one base ETag per distribution"):
        plan_hash(PLAN, {"E2QWRUHAPOMQZL": "E2VBA7CYXEXAMPLE"})


def test_it_hashes_canonical_json():
    # Pinned so that a change to the canonical form (which would void every stored approval) is deliberate.
    plan = {"D": [SetViewerProtocolPolicy("/a", "https-only")]}
    document = {
        "edits": {
            "D": [{"kind": "set_viewer_protocol_policy", "path_pattern": "/a", "policy": "https-only"}]
        },
        "etags": {"D": "E"},
    }
    canonical = json.dumps(document, sort_keys=True, separators=(",", ":"))
    assert plan_hash(plan, {"D": "E"}) == hashlib.sha256(canonical.encode()).hexdigest()


# -- plan_diff: what changed between two plans of one change --------------------------------------

_API = SetViewerProtocolPolicy("/api/*", "redirect-to-https")
_API_STRICT = SetViewerProtocolPolicy("/api/*", "https-only")
_DEFAULT = SetViewerProtocolPolicy("default", "redirect-to-https")
_ORIGIN = SetOriginProtocolPolicy("api", "https-only")


def _plan(**distributions):
    """A plan: distribution id → (edits, base version)."""
    return {
        d: {"edits": [e.to_dict() for e in edits], "base_version": version}
        for d, (edits, version) in distributions.items()
    }


@pytest.mark.parametrize(
    ("before", "after", "expected"),
    [
        pytest.param(_plan(E1=([_API], "v1")), _plan(E1=([_API], "v1")), [], id="same-plan"),
        pytest.param(
            _plan(E1=([_API], "v1")),
            _plan(E1=([_API], "v1"), E2=([_DEFAULT], "v7")),
            [("E2", "added", [("added", None, _DEFAULT.describe())], False)],
            id="distribution-added",
        ),
        pytest.param(
            _plan(E1=([_API], "v1"), E2=([_DEFAULT], "v7")),
            _plan(E1=([_API], "v1")),
            [("E2", "removed", [("removed", _DEFAULT.describe(), None)], False)],
            id="distribution-removed",
        ),
        pytest.param(
            _plan(E1=([_API], "v1")),
            _plan(E1=([_API, _ORIGIN], "v1")),
            [("E1", "changed", [("added", None, _ORIGIN.describe())], False)],
            id="edit-added",
        ),
        pytest.param(
            _plan(E1=([_API, _ORIGIN], "v1")),
            _plan(E1=([_ORIGIN], "v1")),
            [("E1", "changed", [("removed", _API.describe(), None)], False)],
            id="edit-removed",
        ),
        pytest.param(
            _plan(E1=([_API], "v1")),
            _plan(E1=([_API_STRICT], "v1")),
            [("E1", "changed", [("changed", _API.describe(), _API_STRICT.describe())], False)],
            id="same-field-another-value",
        ),
        pytest.param(
            _plan(E1=([_API, Invalidate(("/a",))], "v1")),
            _plan(E1=([_API, Invalidate(("/a", "/b"))], "v1")),
            [
                (
                    "E1",
                    "changed",
                    [("changed", Invalidate(("/a",)).describe(), Invalidate(("/a", "/b")).describe())],
                    False,
                )
            ],
            id="invalidation-paths-grow",
        ),
        pytest.param(
            _plan(E1=([_API], "v1")), _plan(E1=([_API], "v2")), [("E1", "changed", [], True)], id="replanned"
        ),
        pytest.param(
            _plan(E1=([SetViewerProtocolPolicy("*", "redirect-to-https")], "v1")),
            _plan(E1=([_DEFAULT], "v1")),
            [],
            id="same-edit-spelled-otherwise",
        ),
    ],
)
def test_plan_diff(before, after, expected):
    got = [
        (c.distribution_id, c.change, [(e.change, e.before, e.after) for e in c.edits], c.replanned)
        for c in plan_diff(before, after)
    ]
    assert got == expected


def test_plan_diff_lists_the_new_plans_order_then_the_removed_distributions():
    before = _plan(E1=([_API], "v1"), E2=([_API], "v1"))
    after = _plan(E3=([_API], "v1"), E1=([_API_STRICT], "v1"))
    assert [(c.distribution_id, c.change) for c in plan_diff(before, after)] == [
        ("E3", "added"),
        ("E1", "changed"),
        ("E2", "removed"),
    ]


def test_an_edit_change_reads_as_a_sentence():
    assert EditChange("changed", "A → x", "A → y").describe() == "Changed: A → y (was: A → x)"
    assert EditChange("added", None, "A → y").describe() == "Added: A → y"
    assert EditChange("removed", "A → x", None).describe() == "Removed: A → x"
