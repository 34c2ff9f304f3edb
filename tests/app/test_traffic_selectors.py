"""Reading counted traffic for an impact: summed over the window in SQL, at a constant number of queries."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from distributions.cloudfront.edits import SetViewerCertificate
from distributions.selectors.traffic import distribution_traffic, items_traffic, traffic_window
from tests.factories import make_change, make_distribution, make_distributions, make_traffic

pytestmark = pytest.mark.django_db

LAST = date(2026, 11, 30)


def _days(n):
    return [LAST - timedelta(days=i) for i in range(n)]


def test_it_sums_the_window_and_says_it_was_sampled(account):
    site = make_distribution(account, default_policy="allow-all")
    for day in _days(7):
        make_traffic(site, day, requests=1_000, path="/", sample_rate=0.1)
        make_traffic(
            site, day, requests=50, protocol="https", tls_protocol="TLSv1.2", tls_cipher="AES128-SHA"
        )
    make_traffic(site, LAST - timedelta(days=7), requests=999_999)  # outside the 7-day window

    data = traffic_window(distribution_pks=[site.pk])[site.pk]

    assert sorted(c.requests for c in data.classes) == [350, 7_000]
    assert [p.requests for p in data.paths] == [7_000]
    assert str(data.evidence) == (
        "7 days (2026-11-24 to 2026-11-30), 7,350 requests counted, estimated from a 10% sample"
    )


def test_an_item_gets_its_impact_and_one_without_rows_says_why(account, alice):
    counted, silent = make_distributions(account, 2, default_policy="allow-all")
    for day in _days(2):
        make_traffic(counted, day, requests=200)
    change = make_change(alice, [counted, silent])

    traffic = items_traffic(items=list(change.items.select_related("distribution")))

    by_distribution = {item.distribution_id: traffic[item.pk] for item in change.items.all()}
    impact = by_distribution[counted.pk].impact
    assert [t.sentence() for b in impact.behaviors for t in b.transitions] == [
        "200 HTTP GETs a day become 301s"
    ]
    assert by_distribution[silent.pk].impact is None
    assert by_distribution[silent.pk].note == "No traffic data: its access logs have not been read yet."


def test_logging_off_is_said_as_such(account, alice):
    site = make_distribution(account)
    site.config = {**site.config, "Logging": {"Enabled": False, "Bucket": "", "Prefix": ""}}
    site.save(update_fields=["config"])
    change = make_change(alice, [site])
    (traffic,) = items_traffic(items=list(change.items.all())).values()
    assert traffic.note.startswith("No traffic data: logging is off")


def _queries(fn):
    with CaptureQueriesContext(connection) as queries:
        fn()
    return len(queries)


@pytest.mark.parametrize("spread", [(1, 1), (12, 3)])
def test_the_queries_do_not_grow_with_rows_or_distributions(account, alice, spread):
    distributions, days = spread
    fleet = make_distributions(account, distributions, default_policy="allow-all")
    for d in fleet:
        for day in _days(days):
            for agent in ("Chrome", "curl", "Googlebot"):
                make_traffic(d, day, requests=10, user_agent_family=agent, path=f"/{agent}", clients=(3, 1))
    items = list(make_change(alice, fleet).items.select_related("distribution"))
    assert _queries(lambda: items_traffic(items=items)) == 6
    assert _queries(lambda: distribution_traffic(distribution=fleet[0])) == 6


def test_the_distributions_traffic_has_readiness_and_the_floor(account):
    site = make_distribution(
        account,
        behaviors=(("/hooks/*", "redirect-to-https"),),
        certificate_arn="arn:aws:acm:us-east-1:123456789012:certificate/x",
        minimum_protocol_version="TLSv1.1_2016",
    )
    make_traffic(site, LAST, requests=40, path_pattern="/hooks/*", method="POST", clients=(4, 1))
    make_traffic(site, LAST, requests=60, clients=(10, 0))
    make_traffic(
        site,
        LAST,
        requests=900,
        protocol="https",
        tls_protocol="TLSv1.3",
        tls_cipher="TLS_AES_128_GCM_SHA256",
    )
    make_traffic(
        site, LAST, requests=100, protocol="https", tls_protocol="TLSv1.1", tls_cipher="ECDHE-RSA-AES128-SHA"
    )

    traffic = distribution_traffic(distribution=site)

    assert [(r.path_pattern, r.ready) for r in traffic.readiness] == [("/hooks/*", False), ("*", True)]
    floor = {row.policy: row for row in traffic.floor}
    assert floor["TLSv1.1_2016"].current and floor["TLSv1.1_2016"].refused == 0
    assert floor["TLSv1.2_2021"].refused == 100 and floor["TLSv1.2_2021"].share == 0.1
    make_traffic(
        site,
        LAST - timedelta(days=1),
        requests=100,
        protocol="https",
        tls_protocol="TLSv1.1",
        tls_cipher="ECDHE-RSA-AES128-SHA",
    )
    floor = {row.policy: row for row in distribution_traffic(distribution=site).floor}
    assert floor["TLSv1.2_2021"].refused_per_day_text == "100"  # 200 over 2 days


def test_a_change_of_security_policy_says_how_many_https_viewers_it_refuses(account, alice):
    arn = "arn:aws:acm:us-east-1:123456789012:certificate/x"
    site = make_distribution(account, certificate_arn=arn, minimum_protocol_version="TLSv1.1_2016")
    tls13 = {"tls_protocol": "TLSv1.3", "tls_cipher": "TLS_AES_128_GCM_SHA256"}
    make_traffic(site, LAST, requests=950, protocol="https", **tls13)
    tls11 = {"tls_protocol": "TLSv1.1", "tls_cipher": "ECDHE-RSA-AES128-SHA"}
    make_traffic(site, LAST, requests=50, protocol="https", **tls11)
    change = make_change(alice, [site])
    item = change.items.get()
    item.edits = [
        SetViewerCertificate(
            source="acm",
            certificate_id_or_arn=arn,
            ssl_support_method="sni-only",
            minimum_protocol_version="TLSv1.2_2021",
        ).to_dict()
    ]
    item.save(update_fields=["edits"])

    (traffic,) = items_traffic(items=[item]).values()

    seen = (traffic.tls_before, traffic.tls.policy, traffic.tls.refused)
    assert seen == ("TLSv1.1_2016", "TLSv1.2_2021", 50)
    assert traffic.tls.share_text == "5.0%"
