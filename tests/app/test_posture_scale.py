"""Posture at fleet scale (issue 15): the page reads stored rows in the same number of queries at 20 and at
2,000 distributions, and a re-sync of an unchanged fleet re-evaluates nothing and writes no finding."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from distributions.cloudfront.summary import record_from_summary
from distributions.models import Account, Distribution, PostureFinding, PostureState
from distributions.services import posture as posture_service
from distributions.services.posture import posture_evaluate
from distributions.services.sync import accounts_sync, record_apply
from tests.factories import summary

SHAPES = [
    {"default_policy": "allow-all"},
    {"origin_policy": "http-only", "aliases": ("www.x.test",)},
    {"behaviors": (("/api/*", "https-only"), ("/api/v1/*", "allow-all"))},
    {},
]


def _bulk_fleet(account: Account, count: int) -> None:
    """`count` distributions of mixed shapes, stored in bulk, then evaluated as the sync hook does."""
    now = timezone.now()
    rows = []
    for i in range(count):
        record = record_from_summary(summary(**SHAPES[i % len(SHAPES)]))
        distribution = Distribution(account=account, distribution_id=record.distribution_id)
        record_apply(distribution, record, now)
        rows.append(distribution)
    Distribution.objects.bulk_create(rows, batch_size=500)
    posture_evaluate(account=account)


def _queries(client, **params) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/posture/", params)
    assert response.status_code == 200
    return len(queries)


def test_its_page_reads_the_same_number_of_queries_at_20_and_at_2000_distributions(client, vera, account):
    _bulk_fleet(account, 20)
    client.force_login(vera)
    _queries(client)  # the session and the user, cached from now on
    small = (_queries(client), _queries(client, control="CloudFront.3"), _queries(client, account="main"))

    for name in ("second", "third"):
        _bulk_fleet(Account.objects.create(name=name), 990)

    large = (_queries(client), _queries(client, control="CloudFront.3"), _queries(client, account="main"))
    assert large == small
    response = client.get("/posture/")
    assert response.context["distribution_count"] == 2000
    row = next(row for row, *_ in response.context["controls"] if row.control_id == "CloudFront.3")
    # allow-all default, and the allow-all /api/v1/* (also shadowed by /api/*): half the fleet fails.
    assert (row.distributions["fail"], row.distributions["pass"]) == (1000, 1000)
    assert set(response.context["by_account"]) == {"main", "second", "third"}


def test_it_re_evaluates_nothing_and_writes_no_finding_when_an_unchanged_fleet_re_syncs(
    client, vera, demo, monkeypatch
):
    client.force_login(vera)
    client.get("/posture/")  # the process's first load (templates compiled)
    with CaptureQueriesContext(connection) as before_queries:
        before = client.get("/posture/")
    findings = list(PostureFinding.objects.order_by("pk").values_list("pk", "key", "message"))
    evaluated_at = dict(PostureState.objects.values_list("pk", "evaluated_at"))
    assert findings and evaluated_at

    def evaluation_is_not_due(facts, now):
        raise AssertionError(f"{facts.distribution_id} re-evaluated though nothing it depends on changed")

    monkeypatch.setattr(posture_service, "evaluate_distribution", evaluation_is_not_due)
    with CaptureQueriesContext(connection) as queries:
        (first, second) = accounts_sync(trigger="command")

    assert first.status == second.status == "succeeded" and first.unchanged_count > 0
    tables = (PostureFinding._meta.db_table, PostureState._meta.db_table)
    writes = [q["sql"] for q in queries if q["sql"].split()[0] in ("INSERT", "UPDATE", "DELETE")]
    assert [sql for sql in writes if any(f'"{table}"' in sql for table in tables)] == []
    assert list(PostureFinding.objects.order_by("pk").values_list("pk", "key", "message")) == findings
    assert dict(PostureState.objects.values_list("pk", "evaluated_at")) == evaluated_at
    with CaptureQueriesContext(connection) as after_queries:
        after = client.get("/posture/")
    # Still warm: the page after the sync reads the same stored rows with the same queries, computes nothing.
    assert len(after_queries) == len(before_queries)
    assert after.context["finding_count"] == before.context["finding_count"] == len(findings)
    assert after.context["evaluated_at"] == before.context["evaluated_at"]
