"""Re-confirmation and plan revisions: a plan edit after submission sends the change back to draft with its
approvals voided; each submission keeps its plan; approvers see what changed since the plan they saw."""

from __future__ import annotations

import pytest

from distributions.cloudfront.edits import Invalidate, SetViewerProtocolPolicy
from distributions.errors import Invalid, InvalidState, NotAllowed
from distributions.models import Approval, AuditEvent, ChangeRequest
from distributions.selectors.audit import event_description
from distributions.selectors.changes import change_plan_diff, plan_revisions, valid_approvals
from distributions.services import changes, decisions
from distributions.services.guards import Actor
from tests.factories import make_distribution, make_user

pytestmark = pytest.mark.django_db

CHECKED = {key: True for key in decisions.CHECKLIST}
REDIRECT = SetViewerProtocolPolicy(path_pattern="default", policy="redirect-to-https")
STRICT = SetViewerProtocolPolicy(path_pattern="default", policy="https-only")
STATIC = SetViewerProtocolPolicy(path_pattern="/static/*", policy="redirect-to-https")


@pytest.fixture
def web(account):
    return make_distribution(
        account,
        aliases=("web.example.com",),
        behaviors=(("/static/*", "allow-all"),),
        default_policy="allow-all",
    )


@pytest.fixture
def shop(account):
    return make_distribution(account, aliases=("shop.example.com",), default_policy="allow-all")


def submit(user, change):
    return decisions.change_request_submit(actor=Actor(user), change_request=change, checklist=CHECKED)


@pytest.fixture
def change(alice, web):
    """Alice's change redirecting web's default behavior, submitted once (revision 1)."""
    change = changes.change_request_create(actor=Actor(alice), title="HTTPS for web")
    changes.change_edits_add(actor=Actor(alice), change_request=change, distribution=web, edits=[REDIRECT])
    return submit(alice, ChangeRequest.objects.get(pk=change.pk))


def two_distributions(alice, web, shop):
    """Alice's change redirecting both distributions' default behaviors, submitted."""
    change = changes.change_request_create(actor=Actor(alice), title="Two distributions")
    for distribution in (web, shop):
        changes.change_edits_add(
            actor=Actor(alice), change_request=change, distribution=distribution, edits=[REDIRECT]
        )
    return submit(alice, ChangeRequest.objects.get(pk=change.pk))


# Every plan edit of a submitted change, and the one edit that is not a plan edit.
EDITS = {
    "add-a-distribution": lambda alice, c, web, shop: changes.change_edits_add(
        actor=Actor(alice), change_request=c, distribution=shop, edits=[REDIRECT]
    ),
    "merge-into-an-edit": lambda alice, c, web, shop: changes.change_edits_add(
        actor=Actor(alice), change_request=c, distribution=web, edits=[STRICT]
    ),
    "add-an-invalidation": lambda alice, c, web, shop: changes.change_edits_add(
        actor=Actor(alice), change_request=c, distribution=web, edits=[Invalidate(paths=("/*",))]
    ),
    "remove-a-distribution": lambda alice, c, web, shop: changes.change_item_remove(
        actor=Actor(alice), change_request=c, distribution=shop
    ),
    "retitle": lambda alice, c, web, shop: changes.change_request_update(
        actor=Actor(alice), change_request=c, title="HTTPS for web, now", description="Why: audit."
    ),
}


@pytest.mark.parametrize(
    ("edit", "sent_back"),
    [
        ("add-a-distribution", True),
        ("merge-into-an-edit", True),
        ("add-an-invalidation", True),
        ("remove-a-distribution", True),
        ("retitle", False),
    ],
)
def test_a_plan_edit_sends_a_submitted_change_back_to_draft(
    change, alice, bob, web, shop, settings, edit, sent_back
):
    settings.EDGEGUARD_APPROVALS_REQUIRED = 2
    if edit == "remove-a-distribution":  # the last distribution cannot go: plan a second one first
        change = two_distributions(alice, web, shop)
    decisions.change_request_approve(actor=Actor(bob), change_request=change, seen_plan_hash=change.plan_hash)

    EDITS[edit](alice, change, web, shop)

    change.refresh_from_db()
    assert change.status == ("draft" if sent_back else "submitted")
    assert valid_approvals(change).count() == (0 if sent_back else 1)
    assert Approval.objects.filter(voided_at__isnull=False).count() == (1 if sent_back else 0)
    event = AuditEvent.objects.filter(action="change.sent_back").first()
    assert (event is not None) == sent_back
    if sent_back:
        assert event.data["approvals_voided"] == 1
        assert "1 approval voided" in event_description(event)


def test_a_title_edit_is_audited_old_to_new(change, alice):
    changes.change_request_update(actor=Actor(alice), change_request=change, title="New title")
    event = AuditEvent.objects.get(action="change.details_edited")
    assert event.data["changed"] == {"title": ["HTTPS for web", "New title"]}
    assert event.message == "Title 'HTTPS for web' → 'New title'"


def test_an_unchanged_title_is_not_audited(change, alice):
    changes.change_request_update(actor=Actor(alice), change_request=change, title="HTTPS for web")
    assert not AuditEvent.objects.filter(action="change.details_edited").exists()


def test_a_draft_edit_sends_nothing_back(alice, web, shop):
    draft = changes.change_request_create(actor=Actor(alice), title="Draft")
    changes.change_edits_add(actor=Actor(alice), change_request=draft, distribution=web, edits=[REDIRECT])
    changes.change_edits_add(actor=Actor(alice), change_request=draft, distribution=shop, edits=[REDIRECT])
    assert not AuditEvent.objects.filter(action="change.sent_back").exists()
    assert AuditEvent.objects.filter(action="change.edited", data__sent_back=False).count() == 2


def test_the_sent_back_change_needs_the_checklist_again(change, alice, shop):
    changes.change_edits_add(actor=Actor(alice), change_request=change, distribution=shop, edits=[REDIRECT])
    with pytest.raises(Invalid) as refused:
        decisions.change_request_submit(actor=Actor(alice), change_request=change, checklist={})
    assert refused.value.code == "checklist_incomplete"
    assert submit(alice, change).status == "submitted"


def test_resubmitting_the_same_plan_needs_new_approvals(alice, bob, web, shop, settings):
    settings.EDGEGUARD_APPROVALS_REQUIRED = 2
    change = two_distributions(alice, web, shop)
    first_hash = change.plan_hash
    decisions.change_request_approve(actor=Actor(bob), change_request=change, seen_plan_hash=first_hash)
    changes.change_item_remove(actor=Actor(alice), change_request=change, distribution=shop)
    changes.change_edits_add(actor=Actor(alice), change_request=change, distribution=shop, edits=[REDIRECT])
    change = submit(alice, ChangeRequest.objects.get(pk=change.pk))

    assert change.plan_hash == first_hash
    assert valid_approvals(change).count() == 0
    # Bob approves the same plan again: a new approval, not a duplicate of the voided one.
    decisions.change_request_approve(actor=Actor(bob), change_request=change, seen_plan_hash=first_hash)
    assert valid_approvals(change).count() == 1


def test_each_submission_keeps_its_plan(change, alice, web, shop):
    changes.change_edits_add(actor=Actor(alice), change_request=change, distribution=shop, edits=[REDIRECT])
    submit(alice, change)
    revisions = plan_revisions(change)
    assert [r.number for r in revisions] == [1, 2]
    assert list(revisions[0].plan) == [web.distribution_id]
    assert list(revisions[1].plan) == [web.distribution_id, shop.distribution_id]
    assert revisions[1].plan[shop.distribution_id] == {
        "edits": [REDIRECT.to_dict()],
        "base_version": shop.config_hash,
    }
    assert revisions[1].plan_hash == ChangeRequest.objects.get(pk=change.pk).plan_hash


def test_the_approver_sees_what_changed_since_the_previous_submission(change, alice, bob, web, shop):
    assert change_plan_diff(change, user=bob) is None  # submitted once: nothing to compare
    changes.change_edits_add(actor=Actor(alice), change_request=change, distribution=shop, edits=[REDIRECT])
    changes.change_edits_add(actor=Actor(alice), change_request=change, distribution=web, edits=[STRICT])

    draft = change_plan_diff(ChangeRequest.objects.get(pk=change.pk), user=alice)
    # The requester's draft against revision 1.
    assert (draft.since.number, draft.to_number, draft.why) == (1, None, "the last submission")

    change = submit(alice, ChangeRequest.objects.get(pk=change.pk))
    diff = change_plan_diff(change, user=bob)
    assert (diff.since.number, diff.to_number, diff.why) == (1, 2, "the previous submission")
    assert [(d.distribution_id, d.change) for d in diff.changes] == [
        (web.distribution_id, "changed"),
        (shop.distribution_id, "added"),
    ]
    assert [e.describe() for e in diff.changes[0].edits] == [
        f"Changed: {STRICT.describe()} (was: {REDIRECT.describe()})"
    ]
    assert dict(diff.named)[diff.changes[1]] == "shop.example.com"


def test_the_approver_sees_what_changed_since_the_revision_they_approved(
    change, alice, bob, web, shop, settings
):
    settings.EDGEGUARD_APPROVALS_REQUIRED = 2
    decisions.change_request_approve(actor=Actor(bob), change_request=change, seen_plan_hash=change.plan_hash)
    for edits in ([STRICT], [REDIRECT]):  # revision 2, then revision 3, neither approved by bob
        changes.change_edits_add(actor=Actor(alice), change_request=change, distribution=web, edits=edits)
        change = submit(alice, ChangeRequest.objects.get(pk=change.pk))
    changes.change_edits_add(actor=Actor(alice), change_request=change, distribution=shop, edits=[REDIRECT])
    change = submit(alice, ChangeRequest.objects.get(pk=change.pk))

    for_bob = change_plan_diff(change, user=bob)
    assert (for_bob.since.number, for_bob.to_number, for_bob.why) == (1, 4, "the revision you approved")
    assert [(d.distribution_id, d.change) for d in for_bob.changes] == [(shop.distribution_id, "added")]
    for_charlie = change_plan_diff(change, user=make_user("carol", "approver"))
    assert for_charlie.since.number == 3


def test_it_compares_with_the_revision_asked_for_and_refuses_an_unknown_one(change, alice, bob, shop):
    changes.change_edits_add(actor=Actor(alice), change_request=change, distribution=shop, edits=[REDIRECT])
    change = submit(alice, ChangeRequest.objects.get(pk=change.pk))
    assert change_plan_diff(change, user=bob, since=1).why == "revision 1, as asked"
    with pytest.raises(Invalid, match="no earlier revision 2") as refused:
        change_plan_diff(change, user=bob, since=2)
    assert refused.value.field == "since"


@pytest.mark.parametrize(
    ("actor", "decide", "message"),
    [
        ("alice", "approve", "You cannot approve your own change"),
        ("alice", "reject", "You cannot reject your own change"),
        ("vera", "approve", "Your role does not allow you to approve"),
        ("rita", "approve", "Your role does not allow you to approve"),
    ],
)
def test_the_decider_is_told_why_not(change, alice, vera, actor, decide, message):
    users = {
        "alice": alice,
        "vera": vera,
        "rita": make_user("rita", "requester") if actor == "rita" else None,
    }
    do = {
        "approve": lambda user: decisions.change_request_approve(actor=Actor(user), change_request=change),
        "reject": lambda user: decisions.change_request_reject(
            actor=Actor(user), change_request=change, comment="no"
        ),
    }[decide]
    with pytest.raises(NotAllowed, match=message):
        do(users[actor])


def test_approvals_count_in_the_audit_trail(change, alice, bob, charlie, settings):
    settings.EDGEGUARD_APPROVALS_REQUIRED = 2
    decisions.change_request_approve(actor=Actor(bob), change_request=change, seen_plan_hash=change.plan_hash)
    decisions.change_request_approve(
        actor=Actor(charlie), change_request=change, seen_plan_hash=change.plan_hash
    )
    described = [event_description(e) for e in AuditEvent.objects.order_by("pk")]
    assert described[-3:] == [
        "Approval given (1 of 2 needed)",
        "Approval given (2 of 2 needed)",
        "Change approved: 2 of 2 approvals, queued for apply",
    ]


def test_a_sent_back_change_cannot_be_approved_until_resubmitted(change, alice, bob, shop):
    changes.change_edits_add(actor=Actor(alice), change_request=change, distribution=shop, edits=[REDIRECT])
    with pytest.raises(InvalidState, match="is draft, not awaiting approval"):
        decisions.change_request_approve(
            actor=Actor(bob), change_request=ChangeRequest.objects.get(pk=change.pk)
        )
