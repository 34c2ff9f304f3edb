import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from distributions.cloudfront.edits import (
    Invalidate,
    ReorderBehaviors,
    SetOriginProtocolPolicy,
    SetOriginSslProtocols,
    SetViewerCertificate,
    SetViewerProtocolPolicy,
)
from distributions.cloudfront.revert import INVERSES, inverse_edit, plan_revert
from tests.cloudfront.edit_factories import (
    ACM_ARN,
    EDIT_KINDS,
    acm_certificate,
    apply_all,
    configs,
    edits_for,
    make_config,
    origin,
    same_target,
)

SETTINGS = settings(deadline=None, max_examples=150)
BEFORE = make_config(
    behaviors=(("/api/*", "allow-all"), ("/static/*", "allow-all")),
    origins=(origin("web", "http-only", ("TLSv1", "TLSv1.2")),),
    certificate=acm_certificate(ACM_ARN, "sni-only", "TLSv1.2_2019"),
)

# (the change's edit, the revert's edit on an untouched config)
INVERSE_CASES = [
    (SetViewerProtocolPolicy("/api/*", "https-only"), SetViewerProtocolPolicy("/api/*", "allow-all")),
    (SetViewerProtocolPolicy("*", "redirect-to-https"), SetViewerProtocolPolicy("default", "allow-all")),
    (SetOriginProtocolPolicy("web", "https-only"), SetOriginProtocolPolicy("web", "http-only")),
    (SetOriginSslProtocols("web", ("TLSv1.2",)), SetOriginSslProtocols("web", ("TLSv1", "TLSv1.2"))),
    (
        SetViewerCertificate("acm", ACM_ARN, "sni-only", "TLSv1.2_2021"),
        SetViewerCertificate("acm", ACM_ARN, "sni-only", "TLSv1.2_2019"),
    ),
    (ReorderBehaviors(("/static/*", "/api/*")), ReorderBehaviors(("/api/*", "/static/*"))),
]


def test_every_edit_kind_that_writes_a_field_has_an_inverse():
    assert set(INVERSES) == set(EDIT_KINDS)


@pytest.mark.parametrize(("edit", "inverse"), INVERSE_CASES, ids=lambda e: getattr(e, "kind", ""))
def test_it_writes_back_the_value_each_field_held_before(edit, inverse):
    plan = plan_revert([edit], BEFORE, edit.apply(BEFORE))
    assert plan.edits == (inverse,)
    assert (plan.left_alone, plan.not_revertible) == ((), ())
    assert inverse.apply(edit.apply(BEFORE)) == BEFORE


def test_it_writes_back_the_default_certificate():
    before = make_config()
    edit = SetViewerCertificate("acm", ACM_ARN, "sni-only", "TLSv1.2_2021")
    [inverse] = plan_revert([edit], before, edit.apply(before)).edits
    assert inverse == SetViewerCertificate("default")
    assert inverse.apply(edit.apply(before)) == before


def test_it_leaves_alone_a_field_changed_since_and_says_what_it_holds():
    edits = [SetViewerProtocolPolicy("/api/*", "https-only"), SetOriginProtocolPolicy("web", "https-only")]
    applied = apply_all(edits, BEFORE)
    current = SetViewerProtocolPolicy("/api/*", "redirect-to-https").apply(applied)
    plan = plan_revert(edits, BEFORE, current)
    assert plan.edits == (SetOriginProtocolPolicy("web", "http-only"),)
    [kept] = plan.left_alone
    assert (kept.field, kept.wrote, kept.now, kept.before) == (
        "CacheBehaviors[/api/*].ViewerProtocolPolicy",
        "https-only",
        "redirect-to-https",
        "allow-all",
    )
    assert kept.message == (
        "Viewer protocol policy of /api/* is redirect-to-https now, not the https-only the change wrote: "
        "somebody changed it since, so it stays redirect-to-https (before the change: allow-all)"
    )


def test_it_leaves_alone_a_target_that_is_gone():
    edit = SetViewerProtocolPolicy("/static/*", "https-only")
    current = edit.apply(BEFORE)
    current["CacheBehaviors"] = {"Quantity": 1, "Items": current["CacheBehaviors"]["Items"][:1]}
    plan = plan_revert([edit], BEFORE, current)
    assert plan.edits == ()
    assert "its target is gone since the change" in plan.left_alone[0].message


def test_it_says_an_invalidation_cannot_be_reverted():
    edits = [SetViewerProtocolPolicy("/api/*", "https-only"), Invalidate(("/*", "/api/*"))]
    plan = plan_revert(edits, BEFORE, apply_all(edits, BEFORE))
    assert plan.edits == (SetViewerProtocolPolicy("/api/*", "allow-all"),)
    assert plan.not_revertible == (
        "Invalidate /*, /api/* after deployment: an invalidation cannot be reverted",
    )


def test_it_plans_nothing_for_an_edit_that_wrote_nothing():
    edit = SetViewerProtocolPolicy("/api/*", "allow-all")
    assert plan_revert([edit], BEFORE, BEFORE).edits == ()


def test_an_inverse_cannot_write_back_an_empty_field():
    assert inverse_edit(SetViewerProtocolPolicy("/api/*", "https-only"), None) is None


@SETTINGS
@given(st.data())
def test_applying_a_change_then_its_revert_gives_back_every_field(data):
    config = data.draw(configs())
    edits = data.draw(edits_for(config))
    applied = apply_all(edits, config)
    plan = plan_revert(edits, config, applied)
    assert plan.left_alone == ()
    reverted = apply_all(list(plan.edits), applied)
    for edit in edits:
        assert edit.read(reverted) == edit.read(config)
    # Re-applied on the original, the revert changes nothing: it wrote back exactly what was there.
    assert apply_all(list(plan.edits), config) == config


@SETTINGS
@given(st.data())
def test_an_out_of_band_edit_survives_the_revert(data):
    config = data.draw(configs())
    edits = data.draw(edits_for(config))
    assume(edits)
    applied = apply_all(edits, config)
    touched = data.draw(st.sampled_from(edits))
    other = data.draw(same_target(touched, applied))
    assume(other.new_value != touched.new_value)
    current = other.apply(applied)
    reverted = apply_all(list(plan_revert(edits, config, current).edits), current)
    assert touched.read(reverted) == other.new_value
