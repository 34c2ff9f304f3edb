"""The pages that show real traffic: the change review, the distribution's Traffic section, the simulator."""

import re
from datetime import date

import pytest

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
