"""A list page's filter values it cannot read are named in an alert, never ignored in silence nor a 500
(distributions/views/common.py): the list is shown without the refused filter, the other filters still apply.

Every value here is refused by the form itself, before any query, so the pages answer alike on SQLite and
PostgreSQL (a NUL, which PostgreSQL cannot take in text, is the middleware's 400 before any of this)."""

import html
import re

import pytest

from distributions.models import Account, AuditEvent, Distribution
from distributions.services.audit import audit_record
from distributions.services.changes import change_request_create
from distributions.services.guards import Actor
from tests.factories import make_distribution, make_user

pytestmark = pytest.mark.django_db

LONG = "x" * 300
TOO_BIG = str(2**63)

# (page, parameter, bad value, what the alert says about it): each filter of each list page.
BAD_FILTERS = [
    ("/", "account", "nope", "Select a valid choice. nope is not one of the available choices."),
    ("/", "status", "Sleeping", "Select a valid choice. Sleeping is not one of the available choices."),
    ("/", "serves_http", "maybe", "Use true or false."),
    ("/", "default_certificate", "yes", "Use true or false."),
    ("/", "legacy_tls", "1", "Use true or false."),
    ("/", "enabled", "on", "Use true or false."),
    ("/", "removed", "True!", "Use true or false."),
    ("/audit/", "change_request", "abc", "Enter a whole number."),
    ("/audit/", "change_request", "1.5", "Enter a whole number."),
    ("/audit/", "change_request", "0", "greater than or equal to 1"),
    ("/audit/", "change_request", TOO_BIG, "less than or equal to"),
    ("/audit/", "change_request", "NaN", "Enter a whole number."),
    ("/audit/", "actor", LONG, "at most 150 characters"),
    ("/audit/", "action", LONG, "at most 64 characters"),
    ("/audit/", "distribution_id", LONG, "at most 32 characters"),
    ("/audit/", "q", LONG, "at most 200 characters"),
    ("/audit/", "created_after", "yesterday", "Enter a valid date/time."),
    ("/audit/", "created_before", "2026-13-01T00:00", "Enter a valid date/time."),
    ("/audit/", "created_after", "2026-01-01T00:00:00-23:59", ""),
    ("/posture/", "control", "CloudFront.99", "CloudFront.99 is not one of the available choices."),
    ("/posture/", "account", "nope", "nope is not one of the available choices."),
    ("/posture/", "severity", "urgent", "urgent is not one of the available choices."),
    ("/changes/", "tab", "nope", "Use one of pending, active, scheduled, mine, all: the All tab is shown."),
    ("/changes/", "status", "nope", "nope is not one of the available choices."),
    ("/changes/", "requester", LONG, "at most 150 characters"),
    ("/changes/", "distribution", LONG, "at most 32 characters"),
    ("/changes/", "q", LONG, "at most 200 characters"),
    # A parameter the page has no filter for (an old link's ?change=, a typo) would filter nothing.
    ("/audit/", "change", "abc", "this page has no such filter; it filters by action, actor, change_request"),
    ("/changes/", "change", "abc", "this page has no such filter"),
    ("/", "acount", "main", "this page has no such filter"),
]


@pytest.fixture
def fleet(account, alice):
    serving = make_distribution(account, default_policy="allow-all")
    secure = make_distribution(account, certificate_arn="arn:aws:acm:us-east-1:123456789012:certificate/a")
    change = change_request_create(actor=Actor(user=alice), title="HTTPS everywhere")
    audit_record(actor=alice, action="test.event", message="one more event")
    return {"serving": serving, "secure": secure, "change": change}


def _alert(response) -> str:
    found = re.search(
        r'<div class="alert[^"]*" role="alert" id="filter-refusals">(.*?)</div>\s*</div>',
        _body(response),
        re.S,
    )
    return html.unescape(re.sub(r"<[^>]+>", " ", found.group(1))) if found else ""


def _body(response) -> str:
    return response.content.decode()


@pytest.mark.parametrize(
    "page, name, value, says", BAD_FILTERS, ids=[f"{p}?{n}={v[:12]}" for p, n, v, _ in BAD_FILTERS]
)
def test_it_names_each_refused_filter_and_why_and_lists_without_it(
    client, alice, fleet, page, name, value, says
):
    client.force_login(alice)
    response = client.get(page, {name: value})
    assert response.status_code == 200
    alert = " ".join(_alert(response).split())
    if says:
        assert f"Filter '{name}': {says}" in alert or (f"Filter '{name}':" in alert and says in alert)
        assert "shown without it" in alert
    else:
        # An offset PostgreSQL would refuse is read in UTC instead: not a refusal, and no 500.
        assert alert == ""


def test_it_keeps_the_other_filters_of_the_distribution_list(client, alice, fleet):
    client.force_login(alice)
    response = client.get("/", {"account": "nope", "serves_http": "true"})
    assert list(response.context["page"].object_list) == [fleet["serving"]]
    alert = _alert(response)
    assert "Filter 'account'" in alert and "serves_http" not in alert


def test_it_keeps_the_other_filters_of_the_audit_log(client, alice, fleet):
    client.force_login(alice)
    response = client.get("/audit/", {"change_request": "abc", "action": "test."})
    assert [e.action for e in response.context["page"].object_list] == ["test.event"]
    assert "Filter 'change_request': Enter a whole number." in _alert(response)
    assert AuditEvent.objects.exclude(action="test.event").exists()


def test_it_keeps_the_other_posture_filters(client, alice, account, fleet):
    Account.objects.create(name="other", account_id="210987654321")
    client.force_login(alice)
    response = client.get("/posture/", {"severity": "urgent", "account": "main"})
    assert response.context["chosen"]["account"] == "main"
    assert "Filter 'severity'" in _alert(response) and "Filter 'account'" not in _alert(response)


def test_it_names_every_refused_filter_at_once(client, alice, fleet):
    client.force_login(alice)
    alert = _alert(client.get("/", {"account": "nope", "status": "x", "enabled": "maybe"}))
    assert "3 filters were not applied" in alert
    assert all(f"Filter '{name}'" in alert for name in ("account", "status", "enabled"))
    assert "shown without them" in alert


@pytest.mark.parametrize("page", ["/", "/audit/", "/posture/", "/changes/"])
def test_good_or_empty_filters_raise_no_alert(client, alice, fleet, page):
    client.force_login(alice)
    # Blank fields, whichever page's they are, filter nothing and raise nothing; a tab only on the changes.
    empty = {"q": "", "account": "", "status": "", "change_request": "", "created_after": "", "tab": ""}
    for query in ({}, empty, {"tab": "all"} if page == "/changes/" else {"page": "1"}):
        response = client.get(page, query)
        assert response.status_code == 200
        assert 'id="filter-refusals"' not in _body(response)


@pytest.mark.parametrize("page", ["/", "/audit/", "/posture/", "/changes/"])
def test_a_nul_in_a_filter_is_a_400_on_every_list(client, alice, fleet, page):
    client.force_login(alice)
    response = client.get(f"{page}?account=a%00b")
    assert response.status_code == 400
    assert "The query parameter 'account' holds a NUL character" in html.unescape(_body(response))


def test_the_change_list_takes_the_apis_filters_within_its_tab(client, alice, fleet):
    other = change_request_create(actor=Actor(user=make_user("rita", "requester")), title="Rita's change")
    client.force_login(alice)
    response = client.get("/changes/", {"tab": "all", "requester": "rita"})
    assert list(response.context["page"].object_list) == [other]
    assert "Only changes with" in _body(response) and "requester=rita" in _body(response)
    mine = client.get("/changes/", {"tab": "mine", "requester": "rita"}).context["page"]
    assert list(mine.object_list) == []
    assert Distribution.objects.count() == 2
