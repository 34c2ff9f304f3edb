"""The edit flow in the browser, through the test client: edit, review, submit, decide, follow."""

import pytest

from distributions.models import ChangeRequest
from distributions.services.sync import account_sync
from tests.factories import make_distribution

pytestmark = pytest.mark.django_db


@pytest.fixture
def app(account):
    return make_distribution(
        account,
        aliases=("app.example.com",),
        behaviors=(("/api/*", "https-only"), ("/static/*", "allow-all")),
        default_policy="allow-all",
    )


def edit(client, distribution, patterns, policy="redirect-to-https", **extra):
    return client.post(
        f"/distributions/{distribution.distribution_id}/behaviors/edit/",
        {"patterns": patterns, "policy": policy, "title": "HTTPS for the app", **extra},
    )


def test_it_explains_each_policy_on_the_edit_page(client, alice, app):
    client.force_login(alice)
    body = client.get(
        f"/distributions/{app.distribution_id}/behaviors/edit/?pattern=/static/*"
    ).content.decode()
    assert "301" in body and "307" in body and "403" in body
    assert "billed twice" in body


def test_it_adds_edits_to_a_new_draft_and_shows_the_review(client, alice, app):
    client.force_login(alice)
    response = edit(client, app, ["/static/*", "*"])
    change = ChangeRequest.objects.get()
    assert response.status_code == 302
    assert response.url == f"/changes/{change.pk}/"
    assert change.status == "draft"
    page = client.get(response.url)
    review = page.context["reviews"][0]
    assert {c.label for c in review.changes} >= {"Viewer protocol policy of /static/*"}
    assert [b.path_pattern for b in review.behaviors_after] == ["/api/*", "/static/*", "*"]
    assert any(
        s.url == "http://app.example.com/static/example" and s.after.status == 301
        for s in review.samples_changed
    )
    assert all(
        s.before.status != s.after.status or s.before.summary != s.after.summary
        for s in review.samples_changed
    )


def test_it_adds_later_edits_to_the_chosen_draft(client, alice, app):
    client.force_login(alice)
    edit(client, app, ["/static/*"])
    change = ChangeRequest.objects.get()
    edit(client, app, ["*"], policy="https-only", change=change.pk)
    assert ChangeRequest.objects.count() == 1
    assert len(change.items.get().edits) == 2


def test_it_leaves_no_empty_change_behind_when_an_edit_is_refused(client, alice, app):
    client.force_login(alice)
    response = edit(client, app, ["/static/*"], policy="allow-some")
    assert response.status_code == 200
    assert ChangeRequest.objects.count() == 0


def test_viewers_cannot_open_the_edit_page(client, vera, app):
    client.force_login(vera)
    assert client.get(f"/distributions/{app.distribution_id}/behaviors/edit/").status_code == 403


def test_it_requires_the_checklist_to_submit(client, alice, app):
    client.force_login(alice)
    edit(client, app, ["/static/*"])
    change = ChangeRequest.objects.get()
    client.post(f"/changes/{change.pk}/submit/", {"path_patterns": "on", "origins": "on"})
    change.refresh_from_db()
    assert change.status == "draft"
    client.post(
        f"/changes/{change.pk}/submit/", {"path_patterns": "on", "behavior_order": "on", "origins": "on"}
    )
    change.refresh_from_db()
    assert change.status == "submitted"


def test_the_requester_sees_no_decision_form_but_an_approver_does(client, alice, bob, app, monkeypatch):
    monkeypatch.setattr("distributions.services.queue.change_apply", lambda pk: None)
    client.force_login(alice)
    edit(client, app, ["/static/*"])
    change = ChangeRequest.objects.get()
    client.post(
        f"/changes/{change.pk}/submit/", {"path_patterns": "on", "behavior_order": "on", "origins": "on"}
    )
    assert "decision-form" not in client.get(f"/changes/{change.pk}/").content.decode()
    refused = client.post(f"/changes/{change.pk}/decide/", {"decision": "approve"}, follow=True)
    assert "You cannot approve your own change" in refused.content.decode()
    change.refresh_from_db()
    assert change.status == "submitted"

    client.force_login(bob)
    page = client.get(f"/changes/{change.pk}/")
    assert "decision-form" in page.content.decode()
    client.post(
        f"/changes/{change.pk}/decide/",
        {"decision": "approve", "plan_hash": page.context["change"].plan_hash},
    )
    change.refresh_from_db()
    assert change.status == "approved"


def test_a_rejection_needs_a_comment(client, alice, bob, app):
    client.force_login(alice)
    edit(client, app, ["/static/*"])
    change = ChangeRequest.objects.get()
    client.post(
        f"/changes/{change.pk}/submit/", {"path_patterns": "on", "behavior_order": "on", "origins": "on"}
    )
    client.force_login(bob)
    client.post(f"/changes/{change.pk}/decide/", {"decision": "reject", "comment": ""})
    change.refresh_from_db()
    assert change.status == "submitted"
    client.post(f"/changes/{change.pk}/decide/", {"decision": "reject", "comment": "not during the sale"})
    change.refresh_from_db()
    assert change.status == "rejected"


def test_the_progress_fragment_polls_only_while_active(client, alice, app):
    client.force_login(alice)
    edit(client, app, ["/static/*"])
    change = ChangeRequest.objects.get()
    assert "hx-trigger" not in client.get(f"/changes/{change.pk}/progress/").content.decode()
    ChangeRequest.objects.filter(pk=change.pk).update(status="deploying")
    assert 'hx-trigger="every 2s"' in client.get(f"/changes/{change.pk}/progress/").content.decode()


def test_it_offers_the_invalidation_after_an_origin_moves_to_https(sandbox, client, alice, account):
    from tests.app.test_changes import app_distribution
    from tests.sandbox_fixtures import sandbox_client

    distribution = app_distribution(sandbox_client(sandbox, "cloudfront"), account, origin_policy="http-only")
    client.force_login(alice)
    client.post(
        f"/distributions/{distribution.distribution_id}/origins/edit/?origin=app",
        {"policy": "https-only", "ssl_protocols": ["TLSv1.2"], "title": "Encrypt the origin leg"},
    )
    change = ChangeRequest.objects.get()
    body = client.get(f"/changes/{change.pk}/").content.decode()
    assert "Add invalidation of /*" in body
    client.post(f"/changes/{change.pk}/items/{distribution.distribution_id}/invalidate/", {"paths": "/*"})
    assert change.items.get().edits[-1] == {"kind": "invalidate", "paths": ["/*"]}
    assert "Add invalidation of /*" not in client.get(f"/changes/{change.pk}/").content.decode()


def test_it_refuses_a_certificate_that_misses_an_alias_with_a_clear_message(sandbox, client, alice, account):
    sandbox.reset(seed="demo")
    account_sync(account=account, trigger="command")
    other = sandbox.issue_certificate("unrelated.example.net")
    account_sync(account=account, trigger="command")
    distribution = account.distributions.filter(certificate_source="acm").exclude(aliases=[]).first()
    client.force_login(alice)
    response = client.post(
        f"/distributions/{distribution.distribution_id}/certificate/edit/",
        {
            "source": "acm",
            "acm_certificate": other,
            "ssl_support_method": "sni-only",
            "minimum_protocol_version": "TLSv1.2_2021",
            "title": "new cert",
        },
    )
    assert response.status_code == 200
    assert "cover" in response.content.decode()
    assert not ChangeRequest.objects.exists()


def test_the_audit_log_filters_by_change(client, alice, app):
    client.force_login(alice)
    edit(client, app, ["/static/*"])
    change = ChangeRequest.objects.get()
    page = client.get(f"/audit/?change_request={change.pk}").context["page"]
    assert {e.action for e in page} == {"change.created", "change.edited"}
