"""The browser pages, through Django's test client: what a platform engineer sees."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from distributions.models import Account, SyncRun
from tests.factories import make_distribution, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def fleet(account):
    return {
        "plain": make_distribution(account, default_policy="allow-all", comment="marketing site"),
        "app": make_distribution(
            account,
            aliases=("app.example.com", "www.example.com"),
            certificate_arn="arn:aws:acm:us-east-1:123456789012:certificate/abc",
            behaviors=(
                ("/api/*", "https-only"),
                ("/static/*", "redirect-to-https"),
                ("/legacy/*", "allow-all"),
            ),
        ),
        "secure": make_distribution(
            account,
            certificate_arn="arn:aws:acm:us-east-1:123456789012:certificate/def",
            aliases=("shop.example.com",),
        ),
    }


def test_it_lists_distributions_with_posture_badges(client, vera, fleet):
    client.force_login(vera)
    response = client.get("/")
    assert response.status_code == 200
    body = response.content.decode()
    for distribution in fleet.values():
        assert distribution.distribution_id in body
    assert "HTTP served (1/4)" in body
    assert "Default cert" in body


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("serves_http=true", {"plain", "app"}),
        ("serves_http=false", {"secure"}),
        ("default_certificate=true", {"plain"}),
        ("q=shop.example", {"secure"}),
        ("q=MARKETING", {"plain"}),
        ("q=nothing-matches", set()),
        ("status=InProgress", set()),
    ],
)
def test_it_filters_the_list(client, vera, fleet, query, expected):
    client.force_login(vera)
    page = client.get(f"/?{query}").context["page"]
    shown = {name for name, d in fleet.items() if d in page.object_list}
    assert shown == expected


def test_it_filters_by_account_name(client, vera, fleet):
    other = Account.objects.create(name="other", account_id="210987654321")
    elsewhere = make_distribution(other)
    client.force_login(vera)
    page = client.get("/?account=other").context["page"]
    assert list(page.object_list) == [elsewhere]


def test_it_ignores_a_bad_filter_value_instead_of_failing(client, vera, fleet):
    client.force_login(vera)
    response = client.get("/?account=does-not-exist&page=999&serves_http=banana")
    assert response.status_code == 200


def test_it_hides_distributions_gone_from_aws(client, vera, fleet):
    from django.utils import timezone

    fleet["plain"].removed_at = timezone.now()
    fleet["plain"].save()
    client.force_login(vera)
    assert fleet["plain"] not in client.get("/").context["page"].object_list
    assert list(client.get("/?removed=true").context["page"].object_list) == [fleet["plain"]]


def test_it_keeps_the_list_query_count_flat(client, vera, account):
    client.force_login(vera)
    counts = []
    for size in (3, 30):
        while account.distributions.count() < size:
            make_distribution(account, behaviors=(("/a/*", "allow-all"),))
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/").status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_it_shows_behaviors_in_evaluation_order(client, vera, fleet):
    client.force_login(vera)
    response = client.get(f"/distributions/{fleet['app'].distribution_id}/?tab=behaviors")
    behaviors = response.context["behaviors"]
    assert [b.path_pattern for b in behaviors] == ["/api/*", "/static/*", "/legacy/*", "*"]
    assert behaviors[-1].is_default


def test_it_shows_uncovered_aliases_on_the_general_tab(client, vera, fleet):
    from django.utils import timezone

    from distributions.models import Certificate

    Certificate.objects.create(
        account=fleet["app"].account,
        arn=fleet["app"].acm_certificate_arn,
        domain_name="app.example.com",
        subject_alternative_names=["app.example.com"],
        status="ISSUED",
        last_seen_at=timezone.now(),
    )
    client.force_login(vera)
    response = client.get(f"/distributions/{fleet['app'].distribution_id}/")
    assert response.context["coverage"].uncovered == ("www.example.com",)
    assert "No: www.example.com" in response.content.decode()


def test_it_shows_origins(client, vera, fleet):
    client.force_login(vera)
    response = client.get(f"/distributions/{fleet['app'].distribution_id}/?tab=origins")
    assert [o.origin_id for o in response.context["origins"]] == ["app"]
    assert "https-only" in response.content.decode()


def test_it_answers_404_with_a_hint_for_an_unknown_distribution(client, vera):
    client.force_login(vera)
    response = client.get("/distributions/ENOPE/")
    assert response.status_code == 404


def test_it_refuses_users_without_a_role(client, db):
    client.force_login(make_user("nobody", None))
    assert client.get("/").status_code == 403


def test_it_lets_requesters_start_a_sync_but_not_viewers(client, alice, vera, account, monkeypatch):
    started = []
    monkeypatch.setattr("distributions.tasks.sync_account.delay", lambda *args: started.append(args))
    client.force_login(vera)
    assert client.post(f"/accounts/{account.pk}/sync/").status_code == 403
    client.force_login(alice)
    response = client.post(f"/accounts/{account.pk}/sync/")
    assert response.status_code == 302
    assert started == [(account.pk, "manual")]
    assert response.url.startswith("/accounts/?since=")


def test_it_shows_the_last_sync_error_per_account(client, vera, account):
    from django.utils import timezone

    SyncRun.objects.create(
        account=account,
        trigger="schedule",
        status="failed",
        started_at=timezone.now(),
        finished_at=timezone.now(),
        error="AccessDenied: not allowed — give the role cloudfront:List*",
    )
    client.force_login(vera)
    body = client.get("/accounts/").content.decode()
    assert "AccessDenied: not allowed" in body


def test_it_sends_security_headers(client, vera):
    client.force_login(vera)
    response = client.get("/")
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_it_keeps_refreshing_the_accounts_page_until_the_asked_sync_finished(
    client, alice, account, monkeypatch
):
    from django.utils import timezone

    monkeypatch.setattr("distributions.tasks.sync_account.delay", lambda *args: None)
    client.force_login(alice)
    response = client.post(f"/accounts/{account.pk}/sync/")
    assert "?since=" in response.url
    assert client.get(response.url).context["waiting"] is True
    now = timezone.now()
    SyncRun.objects.create(
        account=account, trigger="manual", status="succeeded", started_at=now, finished_at=now
    )
    assert client.get(response.url).context["waiting"] is False
    assert client.get("/accounts/?since=not-a-time").context["waiting"] is False
