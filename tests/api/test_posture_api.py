"""GET /api/v1/findings/ and POST /api/v1/simulate/: the posture page's findings and the simulator in JSON."""

from __future__ import annotations

import json

from rest_framework.test import APIClient

from distributions.cloudfront.edits import edit_from_dict
from distributions.services import changes
from distributions.services.guards import Actor
from tests.api.conftest import REDIRECT
from tests.factories import make_distribution


def test_it_lists_findings_filtered_by_control_and_distribution(as_vera, distribution, account):
    other = make_distribution(account, default_policy="allow-all")

    response = as_vera.get(
        "/api/v1/findings/", {"control": "CloudFront.3", "distribution": other.distribution_id}
    )

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    finding = body["results"][0]
    assert finding["distribution"] == other.distribution_id and finding["account"] == account.name
    assert finding["target"] == {
        "kind": "behavior",
        "precedence": 0,
        "path_pattern": "*",
        "origin_id": None,
        "alias": None,
    }
    assert json.loads(finding["id"]) == [other.distribution_id, "CloudFront.3", "behavior", "*"]


def test_it_filters_findings_by_account_and_severity(as_vera, distribution):
    assert as_vera.get("/api/v1/findings/", {"account": "elsewhere"}).json()["count"] == 0
    body = as_vera.get("/api/v1/findings/", {"account": "main", "severity": "high"}).json()
    # The alias www.x.test is not covered by the default certificate.
    assert body["count"] > 0 and {f["control"] for f in body["results"]} == {"edgeguard.alias-covered"}


def test_it_refuses_unknown_or_empty_filters(as_vera, distribution):
    response = as_vera.get("/api/v1/findings/", {"control": "CloudFront.99"})
    assert response.status_code == 400
    assert response.json()["error"]["field"] == "control"
    assert as_vera.get("/api/v1/findings/", {"severity": ""}).status_code == 400


def test_it_simulates_a_request_before_and_after_my_change(as_alice, alice, distribution):
    change = changes.change_request_create(actor=Actor(alice), title="Redirect")
    changes.change_edits_add(
        actor=Actor(alice),
        change_request=change,
        distribution=distribution,
        edits=[edit_from_dict(REDIRECT)],
    )

    response = as_alice.post(
        "/api/v1/simulate/",
        {"url": "http://www.x.test/index.html", "method": "HEAD", "change_request": change.pk},
        format="json",
    )

    assert response.status_code == 200
    body = response.json()
    assert body["distribution"] == distribution.distribution_id and body["via"] == "alias"
    assert body["before"]["status"] == 200 and body["before"]["origin"]["protocol"] == "https"
    assert body["after"]["status"] == 301 and body["after"]["location"] == "https://www.x.test/index.html"
    assert body["changed"] is True and body["change_request"] == change.pk


def test_it_answers_an_unknown_host_with_a_400_naming_the_url(as_vera, distribution):
    response = as_vera.post("/api/v1/simulate/", {"url": "https://nobody.example/"}, format="json")

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "unknown_host"
    assert response.json()["error"]["field"] == "url"


def test_it_refuses_someone_elses_change_request(as_vera, charlie, distribution):
    theirs = changes.change_request_create(actor=Actor(charlie), title="Theirs")

    response = as_vera.post(
        "/api/v1/simulate/", {"url": "http://www.x.test/", "change_request": theirs.pk}, format="json"
    )

    assert response.status_code == 400 and response.json()["error"]["field"] == "change_request"


def test_it_requires_credentials(db):
    assert APIClient().get("/api/v1/findings/").status_code == 401
    assert APIClient().post("/api/v1/simulate/", {"url": "http://x/"}, format="json").status_code == 401


def test_the_simulation_of_a_change_carries_its_impact_on_counted_traffic(as_alice, alice, distribution):
    from datetime import date

    from tests.factories import make_traffic

    make_traffic(distribution, date(2026, 11, 30), requests=1_000, path="/")
    change = changes.change_request_create(actor=Actor(alice), title="Redirect")
    changes.change_edits_add(
        actor=Actor(alice), change_request=change, distribution=distribution, edits=[edit_from_dict(REDIRECT)]
    )
    url = "http://www.x.test/"

    body = as_alice.post("/api/v1/simulate/", {"url": url, "change_request": change.pk}, format="json").json()
    plain = as_alice.post("/api/v1/simulate/", {"url": url}, format="json").json()

    (default,) = [b for b in body["traffic"]["impact"]["behaviors"] if b["changes"]]
    assert [c["sentence"] for c in default["changes"]] == ["1,000 HTTP GETs a day become 301s"]
    assert body["traffic"]["evidence"]["days"] == 1 and plain["traffic"] is None
    schema = as_alice.get("/api/schema/?format=json").json()["components"]["schemas"]
    assert schema["SimulationResult"]["properties"]["traffic"]["allOf"][0]["$ref"].endswith(
        "SimulatedTraffic"
    )
