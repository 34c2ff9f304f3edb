"""GET /api/v1/change-requests/{id}/impact/: the change's impact on counted traffic, as the review page's."""

from datetime import date

import pytest

from distributions.cloudfront.edits import SetViewerProtocolPolicy
from distributions.services import changes
from distributions.services.guards import Actor
from tests.factories import make_distribution, make_traffic

pytestmark = pytest.mark.django_db

DAY = date(2026, 11, 30)


@pytest.fixture
def change(alice, account, distribution):
    silent = make_distribution(account, default_policy="allow-all")
    make_traffic(distribution, DAY, requests=1_000, path="/", sample_rate=0.5)
    make_traffic(distribution, DAY, requests=3, path_pattern="/api/*", method="POST", http_version="HTTP/1.0")
    change = changes.change_request_create(actor=Actor(alice), title="HTTPS")
    redirect = SetViewerProtocolPolicy(path_pattern="default", policy="redirect-to-https")
    for d in (distribution, silent):
        changes.change_edits_add(actor=Actor(alice), change_request=change, distribution=d, edits=[redirect])
    return change


def test_it_answers_each_distributions_impact_and_why_one_has_none(as_vera, change, distribution):
    answer = as_vera.get(f"/api/v1/change-requests/{change.pk}/impact/")

    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert body["window_days"] == 7 and body["price"]["per_10k"] == "0.0100"
    measured, silent = body["distributions"]
    assert measured["distribution"] == distribution.distribution_id
    assert measured["evidence"]["text"] == (
        "1 day (2026-11-30 to 2026-11-30), 1,003 requests counted, estimated from a 50% sample"
    )
    (default,) = [b for b in measured["impact"]["behaviors"] if b["changes"]]
    assert default["path_pattern"] == "*"
    assert [c["sentence"] for c in default["changes"]] == ["1,000 HTTP GETs a day become 301s"]
    assert measured["impact"]["redirect_cost"]["redirects_per_day_after"] == 1_000
    assert (
        silent["impact"] is None
        and silent["note"] == "No traffic data: its access logs have not been read yet."
    )


@pytest.mark.parametrize("pk", ["999999", "0", "1e3", "abc", "-1", "9" * 30])
def test_odd_or_unknown_ids_are_404(as_vera, pk):
    answer = as_vera.get(f"/api/v1/change-requests/{pk}/impact/")
    assert answer.status_code == 404
    assert answer.json()["error"]["code"] == "not_found"


def test_a_nul_byte_is_a_clear_400(as_vera):
    assert as_vera.get("/api/v1/change-requests/%00/impact/").status_code == 400


def test_it_is_in_the_schema_with_an_example(as_vera):
    schema = as_vera.get("/api/schema/?format=json").json()
    operation = schema["paths"]["/api/v1/change-requests/{id}/impact/"]["get"]
    content = operation["responses"]["200"]["content"]["application/json"]
    assert content["schema"]["$ref"].endswith("/ChangeImpact")
    assert "redirect-to-https on a site with webhooks" in str(content.get("examples"))
