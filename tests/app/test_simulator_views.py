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


def test_it_simulates_http3_over_plain_http_as_http11_and_says_so(client, vera, distribution):
    client.force_login(vera)

    response = _simulate(client, "http://www.x.test/", version="3")

    assert response.context["result"].before.served_http_version == "1.1"
    assert "HTTP/3 runs over QUIC, which is always TLS" in response.content.decode()


def test_it_routes_a_host_several_labels_under_a_wildcard_alias_to_the_most_specific(client, vera, account):
    # "with an alternate domain name of *.example.com, you can use any domain name that ends with
    # example.com in your URLs, such as ... marketing.product-name.example.com"
    broad = make_distribution(account, aliases=("*.example.com",))
    narrow = make_distribution(account, aliases=("*.product-name.example.com",))
    client.force_login(vera)

    deep = _simulate(client, "https://marketing.product-name.example.com/images/image.jpg")
    shallow = _simulate(client, "https://www.example.com/images/image.jpg")

    assert deep.context["result"].distribution == narrow
    assert shallow.context["result"].distribution == broad and shallow.context["result"].before.host_served


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
