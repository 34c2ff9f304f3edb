"""The simulator page: the distribution found by host, the outcome per docs/CLOUDFRONT.md §1, before and
after one of the user's own changes, and a clear message (never a 500) for bad input."""

from __future__ import annotations

import pytest

from distributions.cloudfront.edits import SetViewerProtocolPolicy
from distributions.services import changes
from distributions.services.guards import Actor
from tests.factories import make_distribution


@pytest.fixture
def distribution(account):
    return make_distribution(
        account,
        default_policy="allow-all",
        behaviors=(("/api/*", "redirect-to-https"),),
        aliases=("www.x.test",),
    )


def _simulate(client, url: str, method: str = "GET", version: str = "1.1", **extra):
    return client.get("/simulate/", {"url": url, "method": method, "http_version": version, **extra})


def test_it_finds_the_distribution_by_alias_and_redirects_get_with_301(client, vera, distribution):
    client.force_login(vera)

    response = _simulate(client, "http://www.x.test/api/items?id=1")

    result = response.context["result"]
    assert result.distribution == distribution and result.via == "alias"
    assert result.before.status == 301
    assert result.before.location == "https://www.x.test/api/items?id=1"
    assert result.before.match.path_pattern == "/api/*"
    assert "https://www.x.test/api/items?id=1" in response.content.decode()


@pytest.mark.parametrize(("method", "version", "status"), [("POST", "1.1", 307), ("POST", "1.0", 403)])
def test_it_answers_other_methods_with_307_or_403_by_http_version(
    client, vera, distribution, method, version, status
):
    client.force_login(vera)

    response = _simulate(client, "http://www.x.test/api/items", method, version)

    assert response.context["result"].before.status == status


def test_it_finds_the_distribution_by_its_cloudfront_domain_and_shows_the_origin_fetch(
    client, vera, distribution
):
    client.force_login(vera)

    response = _simulate(client, f"https://{distribution.domain_name}/index.html")

    result = response.context["result"]
    assert result.via == "domain" and result.before.status == 200
    assert result.before.origin.protocol == "https"
    assert result.before.tls.certificate == "*.cloudfront.net" and result.before.tls.covers_host


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://nobody.example/", "No distribution in the mirror serves nobody.example"),
        ("ftp://www.x.test/", "Enter an http:// or https:// URL"),
        ("http://[::1/", "Enter an http:// or https:// URL"),
        ("www.x.test/", "Enter an http:// or https:// URL"),
    ],
)
def test_it_explains_bad_urls_instead_of_failing(client, vera, distribution, url, message):
    client.force_login(vera)

    response = _simulate(client, url)

    assert response.status_code == 200 and response.context["result"] is None
    assert message in response.content.decode()


def test_it_refuses_http3_over_plain_http(client, vera, distribution):
    client.force_login(vera)

    response = _simulate(client, "http://www.x.test/", version="3")

    assert "HTTP/3 runs over QUIC" in response.content.decode()


def test_it_shows_before_and_after_my_change(client, alice, distribution):
    change = changes.change_request_create(actor=Actor(alice), title="Redirect")
    redirect = SetViewerProtocolPolicy(path_pattern="default", policy="redirect-to-https")
    changes.change_edits_add(
        actor=Actor(alice), change_request=change, distribution=distribution, edits=[redirect]
    )
    client.force_login(alice)

    response = _simulate(client, "http://www.x.test/index.html", change=change.pk)

    result = response.context["result"]
    assert (result.before.status, result.after.status) == (200, 301) and result.changed
    assert "outcome changes" in response.content.decode()


def test_it_offers_no_one_elses_draft(client, alice, charlie, distribution):
    theirs = changes.change_request_create(actor=Actor(charlie), title="Theirs")
    client.force_login(alice)

    response = _simulate(client, "http://www.x.test/", change=theirs.pk)

    assert response.context["result"] is None
    assert "Choose one of your drafts, or a change awaiting approval" in response.content.decode()
