"""Issue 13 in Chromium: a change's review shows its impact on real traffic, with the redirect cost; the
distribution's Traffic tab shows what TLSv1.2_2021 would refuse."""

from datetime import date

import pytest

from distributions.cloudfront.edits import SetViewerProtocolPolicy
from distributions.services import changes
from distributions.services.guards import Actor
from tests.browser.conftest import login, screenshot
from tests.factories import make_distribution, make_traffic, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DAYS = [date(2026, 11, d) for d in range(24, 31)]
ALL_METHODS = ["GET", "HEAD", "OPTIONS", "PUT", "PATCH", "POST", "DELETE"]


def _site(account):
    site = make_distribution(
        account,
        default_policy="allow-all",
        behaviors=(("/hooks/*", "allow-all"), ("/api/*", "redirect-to-https")),
        aliases=("shop.example.com",),
        certificate_arn="arn:aws:acm:us-east-1:123456789012:certificate/shop",
        minimum_protocol_version="TLSv1.1_2016",
    )
    site.config["CacheBehaviors"]["Items"][0]["AllowedMethods"] = {"Quantity": 7, "Items": ALL_METHODS}
    site.save(update_fields=["config"])
    for day in DAYS:
        make_traffic(site, day, requests=12_345, path="/", clients=(800, 0), sample_rate=0.1)
        make_traffic(site, day, requests=40, path_pattern="/hooks/*", method="POST", path="/hooks/stripe")
        old = {"http_version": "HTTP/1.0", "user_agent_family": "Java", "path": "/hooks/legacy"}
        make_traffic(site, day, requests=3, path_pattern="/hooks/*", method="POST", **old)
        make_traffic(site, day, requests=200, path_pattern="/api/*", clients=(20, 2))
        tls13 = {"tls_protocol": "TLSv1.3", "tls_cipher": "TLS_AES_128_GCM_SHA256"}
        make_traffic(site, day, requests=50_000, protocol="https", http_version="HTTP/2.0", **tls13)
        tls11 = {
            "tls_protocol": "TLSv1.1",
            "tls_cipher": "ECDHE-RSA-AES128-SHA",
            "user_agent_family": "Android",
        }
        make_traffic(site, day, requests=900, protocol="https", **tls11)
    return site


def test_the_review_shows_real_traffic_impact_and_the_tls_floor(new_page, account):
    alice = make_user("alice", "requester")
    site = _site(account)
    change = changes.change_request_create(actor=Actor(alice), title="HTTPS for the shop")
    edits = [
        SetViewerProtocolPolicy(path_pattern="default", policy="redirect-to-https"),
        SetViewerProtocolPolicy(path_pattern="/hooks/*", policy="redirect-to-https"),
    ]
    changes.change_edits_add(actor=Actor(alice), change_request=change, distribution=site, edits=edits)

    page = new_page()
    login(page, "alice", "alice-password")
    page.goto(f"/changes/{change.pk}/")
    impact = page.locator(".eg-traffic-impact")
    impact.scroll_into_view_if_needed()
    text = impact.inner_text()
    assert "estimated from a 10% sample" in text
    assert "12,345 HTTP GETs a day become 301s" in text
    assert "40 HTTP/1.1 POSTs a day become 307s" in text
    assert "3 HTTP/1.0 POSTs a day become 403s" in text
    assert "Java · 21" in text and "/hooks/legacy" in text
    assert "12,585 redirects a day after the change (200 before)" in page.inner_text(".eg-redirect-cost")
    assert "3 real requests a day refused" in page.inner_text(".eg-refused-badge")
    screenshot(page, "traffic-review")
    assert page.errors == []

    page.goto(f"/distributions/{site.distribution_id}/?tab=traffic")
    row = page.locator(".eg-tls-floor tr[data-policy='TLSv1.2_2021']")
    assert "900" in row.inner_text() and "1.8%" in row.inner_text()  # 900 TLSv1.1 of 50,900 HTTPS a day
    readiness = page.inner_text(".eg-readiness")
    assert "14 of 140 plain-HTTP client-days never came back" in readiness
    screenshot(page, "traffic-tab")

    page.goto(f"/simulate/?url=http://shop.example.com/&method=GET&http_version=1.1&change={change.pk}")
    assert "12,345 HTTP GETs a day become 301s" in page.inner_text("#simulated-traffic")
    screenshot(page, "traffic-simulator")
    assert page.errors == []
