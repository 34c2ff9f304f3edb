import copy

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from distributions.cloudfront.diff import diff_configs
from distributions.cloudfront.edits import (
    Invalidate,
    ReorderBehaviors,
    SetOriginProtocolPolicy,
    SetViewerProtocolPolicy,
)
from distributions.cloudfront.rebase import rebase
from tests.cloudfront.edit_factories import (
    apply_all,
    behavior,
    configs,
    edits_for,
    make_config,
    same_target,
)

SETTINGS = settings(deadline=None, max_examples=150)
PLANNED = make_config(behaviors=(("/api/*", "allow-all"), ("/static/*", "allow-all")))


def test_it_reapplies_edits_to_an_unchanged_config():
    edit = SetViewerProtocolPolicy("/api/*", "https-only")
    result = rebase([edit], PLANNED, PLANNED)
    assert result.conflicts == ()
    assert result.changed
    assert result.config == edit.apply(PLANNED)


def test_it_needs_no_write_when_the_live_config_already_holds_the_edits():
    edit = SetViewerProtocolPolicy("/api/*", "https-only")
    live = edit.apply(PLANNED)
    result = rebase([edit], PLANNED, live)
    assert (result.config, result.conflicts, result.changed) == (live, (), False)


def test_it_keeps_an_out_of_band_edit_to_another_field():
    live = SetViewerProtocolPolicy("/static/*", "redirect-to-https").apply(PLANNED)
    result = rebase([SetViewerProtocolPolicy("/api/*", "https-only")], PLANNED, live)
    behaviors = result.config["CacheBehaviors"]["Items"]
    assert [b["ViewerProtocolPolicy"] for b in behaviors] == ["https-only", "redirect-to-https"]


def test_it_follows_a_behavior_that_was_moved_out_of_band():
    live = ReorderBehaviors(("/static/*", "/api/*")).apply(PLANNED)
    result = rebase([SetViewerProtocolPolicy("/api/*", "https-only")], PLANNED, live)
    assert result.config["CacheBehaviors"]["Items"][1] == {
        **behavior("/api/*"),
        "ViewerProtocolPolicy": "https-only",
    }


def test_it_reports_a_third_value_as_a_conflict_with_both_values_and_writes_nothing():
    edit = SetViewerProtocolPolicy("/api/*", "https-only")
    live = SetViewerProtocolPolicy("/api/*", "redirect-to-https").apply(PLANNED)
    result = rebase([edit, SetViewerProtocolPolicy("/static/*", "https-only")], PLANNED, live)
    assert (result.config, result.changed) == (None, False)
    [conflict] = result.conflicts
    assert (conflict.edit, conflict.planned_value, conflict.live_value) == (
        edit,
        "allow-all",
        "redirect-to-https",
    )
    assert conflict.message == (
        "Viewer protocol policy of /api/* was allow-all when planned and is now redirect-to-https in "
        "CloudFront (changed outside this change); this change would set https-only: plan the change again"
    )


def test_it_reports_a_conflict_when_the_target_is_gone():
    live = copy.deepcopy(PLANNED)
    live["CacheBehaviors"] = {"Quantity": 1, "Items": live["CacheBehaviors"]["Items"][1:]}
    live["Origins"]["Items"][0]["Id"] = "renamed"
    edits = [SetViewerProtocolPolicy("/api/*", "https-only"), SetOriginProtocolPolicy("web", "https-only")]
    result = rebase(edits, PLANNED, live)
    assert [(c.planned_value, c.live_value) for c in result.conflicts] == [
        ("allow-all", None),
        ("http-only", None),
    ]
    assert "its target is gone from CloudFront" in result.conflicts[0].message
    assert result.config is None


def test_it_reports_a_reorder_conflict_when_behaviors_were_added():
    live = copy.deepcopy(PLANNED)
    live["CacheBehaviors"] = {"Quantity": 3, "Items": [*live["CacheBehaviors"]["Items"], behavior("/new/*")]}
    result = rebase([ReorderBehaviors(("/static/*", "/api/*"))], PLANNED, live)
    [conflict] = result.conflicts
    assert conflict.live_value == ("/api/*", "/static/*", "/new/*")
    assert "behaviors were added or removed since the change was planned" in conflict.message


def test_it_ignores_invalidations_which_are_not_config_edits():
    result = rebase([Invalidate(("/*",))], PLANNED, PLANNED)
    assert (result.config, result.conflicts, result.changed) == (PLANNED, (), False)


def test_it_never_mutates_its_inputs():
    planned, live = copy.deepcopy(PLANNED), copy.deepcopy(PLANNED)
    result = rebase([SetViewerProtocolPolicy("/api/*", "https-only")], planned, live)
    result.config["Comment"] = "changed"
    assert planned == PLANNED and live == PLANNED


@SETTINGS
@given(st.data())
def test_it_equals_a_plain_apply_on_an_unchanged_config(data):
    config = data.draw(configs())
    edits = data.draw(edits_for(config))
    result = rebase(edits, config, config)
    assert result.conflicts == ()
    assert result.config == apply_all(edits, config)
    assert result.changed == (result.config != config)


@SETTINGS
@given(st.data())
def test_it_is_idempotent_once_applied(data):
    config = data.draw(configs())
    edits = data.draw(edits_for(config))
    applied = apply_all(edits, config)
    result = rebase(edits, config, applied)
    assert (result.config, result.conflicts, result.changed) == (applied, (), False)


@st.composite
def out_of_band(draw, config, edits):
    """The planned config edited out of band on a field the change does not touch (or its Comment)."""
    fields = {edit.field for edit in edits}
    others = draw(edits_for(config).map(lambda found: [e for e in found if e.field not in fields]))
    live = apply_all(others, config)
    live["Comment"] = draw(st.sampled_from(["test distribution", "edited in the console"]))
    return live, others


@SETTINGS
@given(st.data())
def test_it_keeps_out_of_band_edits_to_other_fields_and_shows_only_its_own_fields(data):
    planned = data.draw(configs())
    edits = data.draw(edits_for(planned))
    live, others = data.draw(out_of_band(planned, edits))
    result = rebase(edits, planned, live)
    assert result.conflicts == ()
    assert result.config == apply_all(edits, live)
    for other in others:
        assert other.read(result.config) == other.new_value
    fields = [edit.field for edit in edits]
    for change in diff_configs(live, result.config):
        assert any(change.path == f or change.path.startswith((f + ".", f + "[")) for f in fields), change


@SETTINGS
@given(st.data())
def test_it_refuses_to_write_over_an_out_of_band_edit_to_the_same_field(data):
    planned = data.draw(configs())
    edits = data.draw(edits_for(planned).filter(bool))
    edit = data.draw(st.sampled_from(edits))
    rival = data.draw(same_target(edit, planned))
    assume(rival.new_value not in (edit.new_value, edit.read(planned)))
    result = rebase(edits, planned, rival.apply(planned))
    assert (result.config, result.changed) == (None, False)
    conflict = next(c for c in result.conflicts if c.edit == edit)
    assert (conflict.planned_value, conflict.live_value) == (edit.read(planned), rival.new_value)
