"""A control declared once, in a test, with no other file touched: evaluated (by the re-evaluation a change
of the registry calls for), counted on the posture page, listed by the findings API and offered as a fix."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.contrib.auth.models import User

from distributions.cloudfront.compliance import (
    CONTROLS,
    DISTRIBUTION,
    Check,
    Context,
    Control,
    DistributionFacts,
    Finding,
    Fix,
    evaluate,
    registered,
)
from distributions.cloudfront.edits import Invalidate
from distributions.cloudfront.patterns import Config
from distributions.models import ChangeRequest, PostureCount, PostureRun
from distributions.selectors import posture
from distributions.services.posture import posture_reevaluate
from tests.api.conftest import token_client
from tests.cloudfront.factories import distribution_config
from tests.factories import make_distribution

# Sees every account (teams restrict what others read: tests/app/test_team_scope.py).
EVERYONE = User(username="root", is_superuser=True)

FAKE = "test.legacy-comment"


class LegacyComment(Control):
    id = FAKE
    severity = "low"
    title = "Comment does not call the distribution legacy"

    def check(self, ctx: Context) -> Check:
        if "legacy" in ctx.facts.config.get("Comment", ""):
            yield DISTRIBUTION, "fail", "The comment says legacy. Invalidate /* after retiring it."
        else:
            yield DISTRIBUTION, "pass", None

    def fix(self, finding: Finding, config: Config) -> Fix:
        return Fix((Invalidate(paths=("/*",)),))


@pytest.fixture
def fleet(account):
    """Two distributions calling themselves legacy, one not."""
    return [make_distribution(account, comment=c) for c in ("legacy shop", "legacy blog", "new site")]


@pytest.fixture
def fake_control(fleet):
    """The control registered, and the fleet re-evaluated as the worker does after a deploy adds one."""
    with registered(LegacyComment) as control:
        posture_reevaluate()
        yield control


def test_it_evaluates_a_registered_control_last_and_forgets_it_after(fake_control):
    legacy = DistributionFacts("E1", {**distribution_config(), "Comment": "legacy"})

    (finding,) = [f for f in evaluate([legacy], now=datetime.now(UTC)).findings if f.control_id == FAKE]

    assert list(CONTROLS)[-1] == FAKE
    assert (finding.severity, finding.title, finding.target) == ("low", LegacyComment.title, DISTRIBUTION)
    assert finding.message.startswith("The comment says legacy")


def test_it_unregisters_the_control_when_the_block_ends():
    with registered(LegacyComment):
        assert FAKE in CONTROLS
    assert FAKE not in CONTROLS


def test_it_counts_the_control_on_the_posture_page(client, vera, fleet, fake_control):
    client.force_login(vera)

    response = client.get("/posture/")

    row = next(row for row, *_ in response.context["controls"] if row.control_id == FAKE)
    assert (row.distributions["fail"], row.distributions["pass"]) == (2, 1)
    html = response.content.decode()
    assert f'data-control="{FAKE}"' in html and LegacyComment.title in html
    filtered = client.get("/posture/", {"control": FAKE})
    assert {r.finding.distribution_id for r in filtered.context["rows"]} == {
        d.distribution_id for d in fleet[:2]
    }


def test_it_re_evaluates_in_the_worker_once_the_control_is_registered(client, vera, account):
    make_distribution(account, comment="legacy shop")
    client.force_login(vera)

    with registered(LegacyComment):
        stale = client.get("/posture/")
        (run,) = PostureRun.objects.all()
        assert stale.context["stale"] and run.status == "queued" and run.distributions_total == 1
        assert "re-evaluation of 1 distribution is queued" in stale.content.decode()
        assert client.get("/posture/").status_code == 200 and PostureRun.objects.count() == 1

        done = posture_reevaluate(run_id=run.pk)

        assert (done.status, done.distributions_done) == ("done", 1)
        fresh = client.get("/posture/")
        assert not fresh.context["stale"] and 'id="posture-reevaluation"' not in fresh.content.decode()
        assert FAKE in {row.control_id for row in posture.findings(user=EVERYONE)}

    posture_reevaluate()
    assert FAKE not in {row.control_id for row in posture.findings(user=EVERYONE)}
    assert FAKE not in {c.control_id for c in PostureCount.objects.all()}


def test_it_lists_the_control_in_the_findings_api(vera, fleet, fake_control):
    everywhere = token_client(vera).get("/api/v1/findings/", {"control": FAKE})
    response = token_client(vera).get(
        "/api/v1/findings/", {"control": FAKE, "distribution": fleet[0].distribution_id}
    )

    assert everywhere.status_code == 200 and response.status_code == 200
    assert {f["control"] for f in everywhere.json()["results"]} == {FAKE}
    (finding,) = response.json()["results"]
    assert finding["title"] == LegacyComment.title and finding["target"]["kind"] == "distribution"


def test_it_offers_the_control_as_a_fix(client, alice, fleet, fake_control):
    client.force_login(alice)
    page = client.get("/posture/", {"control": FAKE})
    assert [row.not_fixable for row in page.context["rows"]] == ["", ""]
    assert 'name="finding"' in page.content.decode()

    response = client.post("/posture/fix/", {"finding": [row.key for row in page.context["rows"]]})

    change = ChangeRequest.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/changes/{change.pk}/"
    assert FAKE in change.title
    assert [item.edits for item in change.items.all()] == [[{"kind": "invalidate", "paths": ["/*"]}]] * 2


def test_it_refuses_a_re_evaluation_asked_under_other_controls_than_the_worker_runs(client, vera, account):
    make_distribution(account, comment="legacy shop")
    client.force_login(vera)
    with registered(LegacyComment):
        client.get("/posture/")
    (run,) = PostureRun.objects.all()

    done = posture_reevaluate(run_id=run.pk)

    assert done.status == "failed" and "deploy both alike" in done.error
    assert FAKE not in {row.control_id for row in posture.findings(user=EVERYONE)}
    with registered(LegacyComment):
        page = client.get("/posture/")
        assert PostureRun.objects.count() == 1 and "re-evaluation after the controls changed failed" in (
            page.content.decode()
        )
