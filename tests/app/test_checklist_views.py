"""The checklist's answers in the browser, through the test client: an edit after submission sends the change
back with a message, approvers see the plan diff, approve only the plan they saw, simulate the change they
review, and read what each audit action means."""

from __future__ import annotations

import pytest

from distributions.models import ChangeRequest
from tests.factories import make_distribution

pytestmark = pytest.mark.django_db

CHECKLIST = {"path_patterns": "on", "behavior_order": "on", "origins": "on"}


@pytest.fixture
def app(account):
    return make_distribution(
        account,
        aliases=("app.example.com",),
        behaviors=(("/api/*", "https-only"), ("/static/*", "allow-all")),
        default_policy="allow-all",
    )


@pytest.fixture(autouse=True)
def _no_worker(monkeypatch):
    monkeypatch.setattr("distributions.services.queue.change_apply", lambda pk: None)


def edit(client, distribution, patterns, policy="redirect-to-https", **extra):
    return client.post(
        f"/distributions/{distribution.distribution_id}/behaviors/edit/",
        {"patterns": patterns, "policy": policy, "title": "HTTPS for the app", **extra},
        follow=True,
    )


@pytest.fixture
def submitted(client, alice, app):
    """Alice's change redirecting /static/*, submitted (revision 1); the client is signed in as alice."""
    client.force_login(alice)
    edit(client, app, ["/static/*"])
    change = ChangeRequest.objects.get()
    client.post(f"/changes/{change.pk}/submit/", CHECKLIST)
    change.refresh_from_db()
    assert change.status == "submitted"
    return change


def test_an_edit_after_submission_says_the_change_went_back_to_draft(client, submitted, app):
    page = edit(client, app, ["*"], change=submitted.pk)

    body = page.content.decode()
    assert "It went back to draft: review it, confirm the checklist again and resubmit it." in body
    assert 'id="sent-back"' in body and 'id="checklist-form"' in body
    submitted.refresh_from_db()
    assert submitted.status == "draft"


def test_removing_a_distribution_after_submission_says_so_too(client, submitted, alice, account):
    other = make_distribution(account, aliases=("other.example.com",), default_policy="allow-all")
    ChangeRequest.objects.filter(pk=submitted.pk).update(status="draft")
    edit(client, other, ["*"], change=submitted.pk)
    client.post(f"/changes/{submitted.pk}/submit/", CHECKLIST)

    page = client.post(f"/changes/{submitted.pk}/items/{other.distribution_id}/remove/", follow=True)

    assert "removed from the change. It went back to draft" in page.content.decode()


def test_the_approver_sees_what_changed_since_the_previous_submission(client, submitted, app, bob):
    edit(client, app, ["*"], change=submitted.pk)
    client.post(f"/changes/{submitted.pk}/submit/", CHECKLIST)
    client.force_login(bob)

    page = client.get(f"/changes/{submitted.pk}/")

    diff = page.context["plan_diff"]
    assert (diff.since.number, diff.to_number) == (1, 2)
    body = page.content.decode()
    assert "Changed since revision 1" in body and "the previous submission" in body
    assert "Viewer protocol policy of the default behavior (*) → redirect-to-https" in body


def test_the_requester_sees_the_draft_against_what_was_submitted(client, submitted, app):
    edit(client, app, ["*"], change=submitted.pk)

    body = client.get(f"/changes/{submitted.pk}/").content.decode()

    assert "Changed since revision 1" in body and "what this draft changes so far" in body


def test_a_change_submitted_once_shows_no_diff(client, submitted, bob):
    client.force_login(bob)
    page = client.get(f"/changes/{submitted.pk}/")
    assert page.context["plan_diff"] is None
    assert 'id="plan-diff"' not in page.content.decode()


def test_the_approve_form_must_name_the_plan_reviewed(client, submitted, bob):
    client.force_login(bob)

    response = client.post(f"/changes/{submitted.pk}/decide/", {"decision": "approve"})

    assert response.status_code == 400
    assert "did not say which plan you reviewed" in response.content.decode()
    submitted.refresh_from_db()
    assert submitted.status == "submitted" and not submitted.approvals.exists()
    # The form shown again carries the plan now on the page.
    assert response.context["decision_form"]["plan_hash"].value() == submitted.plan_hash


def test_an_approval_of_a_plan_edited_since_is_refused(client, submitted, alice, bob, app):
    seen = submitted.plan_hash
    edit(client, app, ["*"], change=submitted.pk)
    client.post(f"/changes/{submitted.pk}/submit/", CHECKLIST)
    client.force_login(bob)

    response = client.post(
        f"/changes/{submitted.pk}/decide/", {"decision": "approve", "plan_hash": seen}, follow=True
    )

    assert "The change was edited after you opened it" in response.content.decode()
    submitted.refresh_from_db()
    assert submitted.status == "submitted" and not submitted.approvals.exists()


def test_a_viewer_posting_a_decision_is_told_about_roles(client, submitted, vera):
    client.force_login(vera)
    response = client.post(f"/changes/{submitted.pk}/decide/", {"decision": "approve"}, follow=True)
    assert "Your role does not allow you to approve or reject changes" in response.content.decode()


def test_the_change_page_links_to_the_simulator_with_the_change(client, submitted, bob):
    client.force_login(bob)
    body = client.get(f"/changes/{submitted.pk}/").content.decode()
    assert f'href="/simulate/?change={submitted.pk}"' in body
    assert "Simulate requests against this change" in body


def test_an_approver_simulates_the_change_under_review(client, submitted, bob):
    client.force_login(bob)

    opened = client.get("/simulate/", {"change": submitted.pk})
    assert opened.context["form"]["change"].value() == submitted.pk
    assert opened.context["form"]["url"].value() == "http://app.example.com/"
    assert "http://app.example.com/" in opened.content.decode()

    response = client.get(
        "/simulate/",
        {
            "url": "http://app.example.com/static/a.css",
            "method": "GET",
            "http_version": "1.1",
            "change": submitted.pk,
        },
    )
    result = response.context["result"]
    assert (result.before.status, result.after.status) == (200, 301) and result.changed


def test_the_simulator_says_when_a_preselected_change_cannot_be_simulated(client, alice, charlie, app):
    from distributions.services import changes
    from distributions.services.guards import Actor

    theirs = changes.change_request_create(actor=Actor(charlie), title="Charlie's draft")
    client.force_login(alice)
    for value in (str(theirs.pk), "abc"):
        response = client.get("/simulate/", {"change": value}, follow=True)
        assert response.status_code == 200
        assert f"Change “{value}” cannot be simulated" in response.content.decode()


def test_the_audit_log_says_what_each_action_means(client, submitted, bob, charlie, settings):
    settings.EDGEGUARD_APPROVALS_REQUIRED = 2
    for approver in (bob, charlie):
        client.force_login(approver)
        client.post(
            f"/changes/{submitted.pk}/decide/", {"decision": "approve", "plan_hash": submitted.plan_hash}
        )

    body = client.get("/audit/").content.decode()
    assert "Approval given (1 of 2 needed)" in body
    assert "Approval given (2 of 2 needed)" in body
    assert "Change approved: 2 of 2 approvals, queued for apply" in body
    history = client.get(f"/changes/{submitted.pk}/").content.decode()
    assert "Submitted for approval as revision 1, checklist confirmed" in history
