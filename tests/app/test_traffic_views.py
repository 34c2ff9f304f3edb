"""The pages that show real traffic: the change review, the distribution's Traffic section, the simulator."""

import re
from datetime import date

import pytest

from distributions.cloudfront.edits import SetViewerProtocolPolicy
from distributions.services import changes
from distributions.services.guards import Actor
from tests.factories import make_change, make_distribution, make_traffic

pytestmark = pytest.mark.django_db

DAY = date(2026, 11, 30)


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.fixture
def site(account):
    site = make_distribution(account, default_policy="allow-all", behaviors=(("/hooks/*", "allow-all"),))
    methods = ["GET", "HEAD", "OPTIONS", "PUT", "PATCH", "POST", "DELETE"]
    site.config["CacheBehaviors"]["Items"][0]["AllowedMethods"] = {"Quantity": 7, "Items": methods}
    site.save(update_fields=["config"])
    make_traffic(site, DAY, requests=12_345, path="/")
    make_traffic(site, DAY, requests=42, path_pattern="/hooks/*", method="POST")
    make_traffic(
        site,
        DAY,
        requests=3,
        path_pattern="/hooks/*",
        method="POST",
        http_version="HTTP/1.0",
        user_agent_family="Java",
        path="/hooks/legacy",
    )
    return site


def test_the_review_shows_the_impact_on_real_traffic(client, alice, site):
    change = make_change(alice, [site])
    item = change.items.get()
    item.edits = [
        {"kind": "set_viewer_protocol_policy", "path_pattern": "default", "policy": "redirect-to-https"},
        {"kind": "set_viewer_protocol_policy", "path_pattern": "/hooks/*", "policy": "redirect-to-https"},
    ]
    item.save(update_fields=["edits"])
    client.force_login(alice)

    text = _text(client.get(f"/changes/{change.pk}/").content.decode())

    assert "Impact on real traffic" in text
    assert "12,345 HTTP GETs a day become 301s" in text
    assert "42 HTTP/1.1 POSTs a day become 307s" in text
    assert "3 HTTP/1.0 POSTs a day become 403s" in text
    assert "Java · 3" in text and "/hooks/legacy" in text
    assert "3 real requests a day refused" in text
    assert "12,387 redirects a day after the change (0 before)" in text


def test_a_distribution_without_traffic_says_why(client, alice, account):
    quiet = make_distribution(account, default_policy="allow-all")
    change = make_change(alice, [quiet])
    client.force_login(alice)
    text = _text(client.get(f"/changes/{change.pk}/").content.decode())
    assert "No traffic data: its access logs have not been read yet." in text


def test_the_traffic_tab_shows_readiness_and_the_tls_floor(client, vera, account):
    site = make_distribution(
        account,
        behaviors=(("/hooks/*", "redirect-to-https"),),
        certificate_arn="arn:aws:acm:us-east-1:123456789012:certificate/x",
        minimum_protocol_version="TLSv1.1_2016",
    )
    make_traffic(site, DAY, requests=40, path_pattern="/hooks/*", method="POST", clients=(4, 1))
    make_traffic(site, DAY, requests=60, clients=(10, 0))
    tls13 = {"tls_protocol": "TLSv1.3", "tls_cipher": "TLS_AES_128_GCM_SHA256"}
    make_traffic(site, DAY, requests=900, protocol="https", **tls13)
    tls11 = {"tls_protocol": "TLSv1.1", "tls_cipher": "ECDHE-RSA-AES128-SHA"}
    make_traffic(site, DAY, requests=100, protocol="https", **tls11)
    client.force_login(vera)

    html = client.get(f"/distributions/{site.distribution_id}/?tab=traffic").content.decode()

    text = _text(html)
    assert "not ready 1 of 4 plain-HTTP client-days never came back over HTTPS" in text
    assert "ready all 10 plain-HTTP client-days came back over HTTPS" in text
    row = re.search(r'data-policy="TLSv1.2_2021">(.*?)</tr>', html, re.S).group(1)
    assert "10.0%" in row and ">100<" in row  # one day: 100 refused a day
    assert "current" in _text(re.search(r'data-policy="TLSv1.1_2016">(.*?)</tr>', html, re.S).group(1))


def test_the_traffic_tab_says_when_logging_is_off(client, vera, account):
    site = make_distribution(account)
    site.config = {**site.config, "Logging": {"Enabled": False, "Bucket": "", "Prefix": ""}}
    site.save(update_fields=["config"])
    client.force_login(vera)
    text = _text(client.get(f"/distributions/{site.distribution_id}/?tab=traffic").content.decode())
    assert "No traffic data: logging is off for this distribution" in text


def test_the_simulator_shows_the_changes_impact_on_all_counted_traffic(client, alice, site):
    change = changes.change_request_create(actor=Actor(alice), title="Redirect")
    redirect = SetViewerProtocolPolicy(path_pattern="default", policy="redirect-to-https")
    changes.change_edits_add(actor=Actor(alice), change_request=change, distribution=site, edits=[redirect])
    client.force_login(alice)

    url = f"http://{site.domain_name}/"
    answer = client.get(
        "/simulate/", {"url": url, "method": "GET", "http_version": "1.1", "change": change.pk}
    )

    text = _text(answer.content.decode())
    assert "Impact on real traffic" in text and "12,345 HTTP GETs a day become 301s" in text
