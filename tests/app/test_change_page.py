"""A fleet-wide change: removing one edit, dropping edits that change nothing, the change page's summary,
groups and pages, the progress poll that sends only what moved, and query counts that do not grow."""

import re

import pytest
from django.db import connection, reset_queries
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from distributions.cloudfront.compliance import Finding
from distributions.cloudfront.edits import Invalidate, SetOriginProtocolPolicy, SetViewerProtocolPolicy
from distributions.errors import Invalid, NotAllowed, Stale
from distributions.models import Account, AuditEvent, Certificate, ChangeItem, ChangeRequest
from distributions.selectors.change_page import PAGE_SIZE
from distributions.services import changes, decisions
from distributions.services.guards import Actor
from distributions.services.posture_fix import fix_description
from tests.factories import make_change, make_distribution, make_distributions

pytestmark = pytest.mark.django_db

CHECKED = dict.fromkeys(decisions.CHECKLIST, True)
REDIRECT_DEFAULT = SetViewerProtocolPolicy(path_pattern="default", policy="redirect-to-https")
REDIRECT_STATIC = SetViewerProtocolPolicy(path_pattern="/static/*", policy="redirect-to-https")
ORIGIN_HTTPS = SetOriginProtocolPolicy(origin_id="app", policy="https-only")
DEFAULT_TO_REDIRECT = "Viewer protocol policy of the default behavior (*) → redirect-to-https"


@pytest.fixture
def app(account):
    """allow-all default and /static/*, an origin over HTTP: three edits can each change something."""
    return make_distribution(
        account,
        behaviors=(("/api/*", "https-only"), ("/static/*", "allow-all")),
        default_policy="allow-all",
        origin_policy="http-only",
    )


def _draft(user, distribution, *edits):
    change = changes.change_request_create(actor=Actor(user), title="HTTPS for the app")
    changes.change_edits_add(
        actor=Actor(user), change_request=change, distribution=distribution, edits=list(edits)
    )
    return ChangeRequest.objects.get(pk=change.pk)


# -- removing one edit ------------------------------------------------------------------------------


def test_it_removes_one_edit_and_keeps_the_distribution_with_its_others(alice, app):
    change = _draft(alice, app, REDIRECT_DEFAULT, REDIRECT_STATIC, ORIGIN_HTTPS)

    item = changes.change_edit_remove(
        actor=Actor(alice), change_request=change, distribution=app, index=1, expected_version=change.version
    )

    assert item.edits == [REDIRECT_DEFAULT.to_dict(), ORIGIN_HTTPS.to_dict()]
    assert (
        ChangeItem.objects.get(pk=item.pk).edit_kinds
        == " set_origin_protocol_policy set_viewer_protocol_policy "
    )
    event = AuditEvent.objects.get(action="change.edit_removed")
    assert event.distribution_id == app.distribution_id and "/static/*" in event.message
    assert ChangeRequest.objects.get(pk=change.pk).version == change.version + 1


def test_removing_an_edit_of_a_submitted_change_sends_it_back_and_voids_its_approvals(
    alice, bob, charlie, app, settings
):
    settings.EDGEGUARD_APPROVALS_REQUIRED = 2
    change = _draft(alice, app, REDIRECT_DEFAULT, REDIRECT_STATIC)
    change = decisions.change_request_submit(actor=Actor(alice), change_request=change, checklist=CHECKED)
    decisions.change_request_approve(actor=Actor(bob), change_request=change)
    seen = change.plan_hash

    changes.change_edit_remove(actor=Actor(alice), change_request=change, distribution=app, index=0)

    change.refresh_from_db()
    assert change.status == "draft" and change.plan_hash != seen
    assert AuditEvent.objects.get(action="change.edit_removed").data["approvals_voided"] == 1
    assert change.approvals.get().voided_at is not None
    with pytest.raises(Stale, match="went back to draft"):
        decisions.change_request_approve(actor=Actor(charlie), change_request=change, seen_plan_hash=seen)


@pytest.mark.parametrize(
    ("index", "code"),
    [(5, "not_found"), (-1, "not_found")],
)
def test_it_refuses_an_edit_that_is_not_there(alice, app, index, code):
    change = _draft(alice, app, REDIRECT_DEFAULT, REDIRECT_STATIC)
    with pytest.raises(Invalid) as refused:
        changes.change_edit_remove(actor=Actor(alice), change_request=change, distribution=app, index=index)
    assert refused.value.code == code and "has 2 edits" in refused.value.message
    assert len(ChangeItem.objects.get().edits) == 2


def test_it_refuses_to_remove_the_only_edit_and_says_what_to_do(alice, app):
    change = _draft(alice, app, REDIRECT_DEFAULT)
    with pytest.raises(Invalid, match="remove the distribution from the change instead") as refused:
        changes.change_edit_remove(actor=Actor(alice), change_request=change, distribution=app, index=0)
    assert refused.value.code == "last_edit" and ChangeItem.objects.get().edits == [
        REDIRECT_DEFAULT.to_dict()
    ]


def test_only_the_requester_or_an_admin_removes_an_edit(alice, bob, app):
    change = _draft(alice, app, REDIRECT_DEFAULT, REDIRECT_STATIC)
    with pytest.raises(NotAllowed):
        changes.change_edit_remove(actor=Actor(bob), change_request=change, distribution=app, index=0)
    with pytest.raises(Stale):
        changes.change_edit_remove(
            actor=Actor(alice), change_request=change, distribution=app, index=0, expected_version=99
        )


def test_the_review_has_a_remove_button_per_edit_that_keeps_the_distribution(client, alice, app):
    change = _draft(alice, app, REDIRECT_DEFAULT, REDIRECT_STATIC)
    client.force_login(alice)
    page = client.get(f"/changes/{change.pk}/").content.decode()
    assert page.count('class="btn btn-link btn-sm p-0 text-danger eg-edit-remove"') == 2

    response = client.post(
        f"/changes/{change.pk}/items/{app.distribution_id}/edits/remove/",
        {"index": 0, "version": change.version},
        follow=True,
    )

    assert "Edit removed from" in response.content.decode()
    assert ChangeItem.objects.get().edits == [REDIRECT_STATIC.to_dict()]
    # A page opened before that removal names an edit by a position that may have moved: refused.
    stale = client.post(
        f"/changes/{change.pk}/items/{app.distribution_id}/edits/remove/",
        {"index": 0, "version": change.version},
        follow=True,
    )
    assert "was modified" in stale.content.decode() and ChangeItem.objects.get().edits


def test_a_malformed_edit_removal_is_told_not_an_error(client, alice, app):
    change = _draft(alice, app, REDIRECT_DEFAULT, REDIRECT_STATIC)
    client.force_login(alice)
    response = client.post(
        f"/changes/{change.pk}/items/{app.distribution_id}/edits/remove/", {"index": "x"}, follow=True
    )
    assert response.status_code == 200 and "Choose the edit to remove" in response.content.decode()


# -- edits that change nothing ----------------------------------------------------------------------


def test_an_edit_that_changes_nothing_is_dropped_and_an_item_with_none_left_is_not_created(alice, app):
    already = SetViewerProtocolPolicy(path_pattern="/api/*", policy="https-only")
    change = changes.change_request_create(actor=Actor(alice), title="HTTPS")

    added = changes.change_edits_add(
        actor=Actor(alice), change_request=change, distribution=app, edits=[already]
    )

    assert added.item is None and not added.changed
    assert [edit for edit, _ in added.dropped] == [already]
    assert added.dropped_message() == (
        "1 edit dropped because it changes nothing: "
        "Viewer protocol policy of /api/* → https-only (already so)."
    )
    assert not ChangeItem.objects.exists()


def test_only_the_edits_that_change_nothing_are_dropped(alice, app):
    already = SetViewerProtocolPolicy(path_pattern="/api/*", policy="https-only")
    change = changes.change_request_create(actor=Actor(alice), title="HTTPS")

    added = changes.change_edits_add(
        actor=Actor(alice),
        change_request=change,
        distribution=app,
        edits=[REDIRECT_STATIC, already, Invalidate(paths=("/*",))],
    )

    assert added.changed and [edit for edit, _ in added.dropped] == [already]
    # An invalidation writes no field but is work to do: it is never dropped.
    assert added.item.edits == [REDIRECT_STATIC.to_dict(), Invalidate(paths=("/*",)).to_dict()]
    assert AuditEvent.objects.get(action="change.edited").message == (
        "Viewer protocol policy of /static/* → redirect-to-https; Invalidate /* after deployment"
    )


def test_setting_a_field_back_to_what_it_was_undoes_the_earlier_edit(alice, app):
    change = _draft(alice, app, REDIRECT_DEFAULT, REDIRECT_STATIC)
    back = SetViewerProtocolPolicy(path_pattern="/static/*", policy="allow-all")

    added = changes.change_edits_add(
        actor=Actor(alice), change_request=change, distribution=app, edits=[back]
    )

    assert added.changed and added.item.edits == [REDIRECT_DEFAULT.to_dict()]
    assert AuditEvent.objects.filter(action="change.edited").first().message.startswith("undone: ")
    # Undoing the last edit of an item drops the distribution from the change.
    default_back = SetViewerProtocolPolicy(path_pattern="default", policy="allow-all")
    added = changes.change_edits_add(
        actor=Actor(alice), change_request=change, distribution=app, edits=[default_back]
    )
    assert added.item is None and added.changed and not ChangeItem.objects.exists()


def test_the_edit_page_says_why_nothing_was_added_and_opens_no_empty_change(client, alice, app):
    client.force_login(alice)
    response = client.post(
        f"/distributions/{app.distribution_id}/behaviors/edit/",
        {"patterns": ["/api/*"], "policy": "https-only", "title": "HTTPS"},
    )
    assert response.status_code == 200
    assert "Nothing to add. 1 edit dropped because it changes nothing" in response.content.decode()
    assert not ChangeRequest.objects.exists()


def test_the_edit_page_says_how_many_edits_were_dropped(client, alice, app):
    client.force_login(alice)
    response = client.post(
        f"/distributions/{app.distribution_id}/behaviors/edit/",
        {"patterns": ["/api/*", "/static/*"], "policy": "https-only", "title": "HTTPS"},
        follow=True,
    )
    body = response.content.decode()
    assert "1 edit dropped because it changes nothing: Viewer protocol policy of /api/*" in body
    assert ChangeItem.objects.get().edits == [
        SetViewerProtocolPolicy(path_pattern="/static/*", policy="https-only").to_dict()
    ]


# -- the summary, groups and pages ------------------------------------------------------------------


def test_the_page_starts_with_a_summary_over_every_item(client, alice, vera, account):
    other = Account.objects.create(name="partner", account_id="210987654321")
    fleet = make_distributions(account, 3, default_policy="allow-all") + make_distributions(
        other, 2, default_policy="allow-all"
    )
    change = make_change(alice, fleet)
    client.force_login(vera)

    page = client.get(f"/changes/{change.pk}/")

    summary = page.context["summary"]
    assert summary.distributions == 5 and summary.accounts == [("main", 3), ("partner", 2)]
    assert summary.edit_kinds == [("Set viewer protocol policy", 5)]
    assert summary.edits == [(DEFAULT_TO_REDIRECT, 5)]
    # Each distribution's default behavior is sampled with plain-HTTP requests: every GET becomes a 301.
    assert "5 sampled GETs 200 → 301" in [str(c) for c in summary.outcome_changes]
    # A POST the behavior refuses (GET and HEAD only) is redirected and refused again over HTTPS: the
    # summary says so rather than counting a 307 as a change that lets it through.
    assert "5 sampled POSTs 403 → 307, then 403 over HTTPS" in [str(c) for c in summary.outcome_changes]
    cards = page.context["reviews"]
    assert sum(c.count for c in summary.outcome_changes) == sum(len(r.samples_changed) for r in cards)
    assert summary.samples_unchanged == sum(r.samples_unchanged for r in cards)
    body = page.content.decode()
    assert "5 distributions" in body and "5 sampled GETs 200 → 301" in body
    # A fleet-wide change starts with its cards folded.
    assert len(re.findall(r'<details class="card[^"]*eg-review"[^>]*>', body)) == 5
    assert " open>" not in "".join(re.findall(r'<details class="card[^"]*eg-review"[^>]*>', body))


def test_it_groups_cards_by_identical_edits_or_by_account_and_pages_them(client, alice, vera, account):
    other = Account.objects.create(name="partner", account_id="210987654321")
    fleet = make_distributions(account, PAGE_SIZE + 5, default_policy="allow-all")
    change = make_change(alice, fleet)
    partner = make_distributions(other, 2, default_policy="allow-all")
    changes.change_edits_add(
        actor=Actor(alice),
        change_request=change,
        distribution=partner[0],
        edits=[SetViewerProtocolPolicy(path_pattern="default", policy="https-only")],
    )
    client.force_login(vera)

    first = client.get(f"/changes/{change.pk}/").context
    assert [(g.label, g.total, len(g.reviews)) for g in first["groups"]] == [
        (DEFAULT_TO_REDIRECT, PAGE_SIZE + 5, PAGE_SIZE)
    ]
    assert len(first["items"]) == PAGE_SIZE  # the progress table shows the page's rows
    second = client.get(f"/changes/{change.pk}/?page=2").context
    assert [(g.total, len(g.reviews)) for g in second["groups"]] == [(PAGE_SIZE + 5, 5), (1, 1)]
    assert second["summary"].distributions == PAGE_SIZE + 6

    by_account = client.get(f"/changes/{change.pk}/?group=account&page=2").context
    assert [(g.label, g.total, len(g.reviews)) for g in by_account["groups"]] == [
        ("Account main", PAGE_SIZE + 5, 5),
        ("Account partner", 1, 1),
    ]


@pytest.mark.parametrize("query", ["group=nope", "group="])
def test_an_unknown_grouping_is_a_clear_400(client, alice, app, query):
    change = _draft(alice, app, REDIRECT_DEFAULT)
    client.force_login(alice)
    response = client.get(f"/changes/{change.pk}/?{query}")
    assert response.status_code == 400 and "group must be one of edits, account" in response.content.decode()


@pytest.mark.parametrize("since", ["abc", "-5", "1" * 30])
def test_a_malformed_since_is_a_clear_400(client, alice, app, since):
    change = _draft(alice, app, REDIRECT_DEFAULT)
    client.force_login(alice)
    response = client.get(f"/changes/{change.pk}/progress/?since={since}")
    assert response.status_code == 400 and "since must be a time in microseconds" in response.content.decode()


def test_a_progress_poll_sends_the_totals_and_only_the_rows_that_moved(client, alice, vera, account):
    change = make_change(alice, make_distributions(account, 4, default_policy="allow-all"))
    ChangeRequest.objects.filter(pk=change.pk).update(status="applying")
    change.items.update(updated_at=timezone.now() - timezone.timedelta(hours=1))
    client.force_login(vera)
    page = client.get(f"/changes/{change.pk}/").content.decode()
    poll = re.search(r'hx-get="([^"]+)"', page).group(1).replace("&amp;", "&")
    since = re.search(r"since=(\d+)", poll).group(1)
    assert all(f'id="progress-row-{i.pk}"' in page for i in change.items.all())

    quiet = client.get(poll, headers={"HX-Request": "true"}).content.decode()
    assert "hx-swap-oob" not in quiet and re.search(r"Pending</span>\s*4<", quiet)

    moved = change.items.order_by("pk")[2]
    later = timezone.now() + timezone.timedelta(seconds=60)
    ChangeItem.objects.filter(pk=moved.pk).update(status="applying", updated_at=later)
    answer = client.get(
        f"/changes/{change.pk}/progress/?since={int(later.timestamp() * 1_000_000)}",
        headers={"HX-Request": "true"},
    ).content.decode()
    assert re.findall(r'id="progress-row-(\d+)" [^>]*hx-swap-oob="true"', answer) == [str(moved.pk)]
    assert re.search(r"Pending</span>\s*3<", answer) and re.search(r"Applying</span>\s*1<", answer)
    assert 'hx-trigger="every 2s"' in answer and int(re.search(r"since=(\d+)", answer).group(1)) > int(since)


# -- queries that do not grow -----------------------------------------------------------------------


def _queries(work) -> int:
    work()  # warm: the summary's sampled outcomes are cached after the first load
    reset_queries()
    with CaptureQueriesContext(connection) as captured:
        work()
    return len(captured)


def _figures(client, change, requester) -> tuple[int, int, int]:
    account = change.items.first().distribution.account
    Certificate.objects.create(
        account=account,
        arn=f"arn:aws:acm:us-east-1:{account.account_id}:certificate/x",
        domain_name="*.x.test",
        status="ISSUED",
        last_seen_at=timezone.now(),
    )
    page = _queries(lambda: client.get(f"/changes/{change.pk}/"))
    ChangeRequest.objects.filter(pk=change.pk).update(status="applying")
    progress = _queries(lambda: client.get(f"/changes/{change.pk}/progress/?since=0"))
    ChangeRequest.objects.filter(pk=change.pk).update(status="draft")

    def submit():
        decisions.change_request_submit(
            actor=Actor(requester), change_request=ChangeRequest.objects.get(pk=change.pk), checklist=CHECKED
        )
        ChangeRequest.objects.filter(pk=change.pk).update(status="draft")

    return page, progress, _queries(submit)


def test_the_page_its_progress_and_submit_make_the_same_queries_at_20_and_2000_items(client, alice, vera):
    small_account = Account.objects.create(name="small", account_id="111111111111")
    large_account = Account.objects.create(name="large", account_id="222222222222")
    small = make_change(alice, make_distributions(small_account, 20, default_policy="allow-all"))
    large = make_change(alice, make_distributions(large_account, 2000, default_policy="allow-all"))
    client.force_login(vera)

    assert _figures(client, small, alice) == _figures(client, large, alice)


# -- the description of a fleet-wide fix ------------------------------------------------------------


def test_a_fleet_wide_fix_is_described_in_a_few_lines(account):
    fleet = make_distributions(account, 21, default_policy="allow-all")
    findings = [
        Finding(
            "CloudFront.3",
            "medium",
            "Encryption in transit",
            "Set redirect-to-https.",
            d.distribution_id,
            None,
        )
        for d in fleet
    ]
    description = fix_description(findings, {d.distribution_id: d for d in fleet})
    assert description.splitlines()[0] == "CloudFront.3: 21 findings on 21 distributions in main."
    assert len(description.splitlines()) == 2
    few = fix_description(findings[:2], {d.distribution_id: d for d in fleet})
    assert few.splitlines() == [
        f"CloudFront.3 · {d.distribution_id}: Set redirect-to-https." for d in fleet[:2]
    ]
