"""Access logs of a day before a change that altered path patterns are matched on the config of that day
(the config the change's UpdateDistribution replaced), not on today's."""

from __future__ import annotations

import copy
from datetime import UTC, date, datetime, timedelta

import pytest

from distributions.models import ChangeItem, TrafficCount
from distributions.selectors.traffic_ingest import config_of_day
from distributions.services import traffic
from distributions.services.log_sources import LogPart
from tests.cloudfront.log_factories import header, line
from tests.factories import make_change, make_distribution

pytestmark = pytest.mark.django_db

BEFORE, AFTER = date(2026, 11, 27), date(2026, 11, 29)
APPLIED = datetime(2026, 11, 28, 12, tzinfo=UTC)


class _Source:
    def parts(self, day):
        return [LogPart("one", 100)]

    def lines(self, part):
        yield from header()
        yield line(date=self.day.isoformat(), cs_uri_stem="/old/page")
        yield line(date=self.day.isoformat(), cs_uri_stem="/api/x")

    def __init__(self, day):
        self.day = day


@pytest.fixture
def renamed(alice, account):
    """Today /api/* only; until a change written on 2026-11-28 there was also /old/*."""
    site = make_distribution(account, default_policy="allow-all", behaviors=(("/api/*", "https-only"),))
    earlier = copy.deepcopy(site.config)
    old = copy.deepcopy(earlier["CacheBehaviors"]["Items"][0])
    old["PathPattern"] = "/old/*"
    earlier["CacheBehaviors"] = {"Quantity": 2, "Items": [old, earlier["CacheBehaviors"]["Items"][0]]}
    change = make_change(alice, [site])
    ChangeItem.objects.filter(change_request=change).update(
        wrote_update=True, applied_at=APPLIED, applied_over=earlier, status="completed"
    )
    return site


def _patterns(site, day):
    (ingest,) = traffic.traffic_ingest_request(distribution=site, days=[day])
    traffic.traffic_ingest_day(ingest_id=ingest.pk, source=_Source(day))
    rows = TrafficCount.objects.filter(distribution=site, day=day)
    return sorted(set(rows.values_list("path_pattern", flat=True)))


@pytest.mark.parametrize(
    ("day", "patterns"),
    [
        (BEFORE, ["/api/*", "/old/*"]),  # the day's config still had /old/*
        (APPLIED.date(), ["", "/api/*"]),  # the day of the change: the config after it ("" = default)
        (AFTER, ["", "/api/*"]),
    ],
)
def test_a_day_is_matched_on_the_config_of_that_day(renamed, day, patterns):
    assert _patterns(renamed, day) == patterns


def test_a_change_that_wrote_nothing_or_no_change_leaves_the_current_config(alice, account):
    site = make_distribution(account)
    assert config_of_day(site, BEFORE) == site.config
    change = make_change(alice, [site])
    ChangeItem.objects.filter(change_request=change).update(wrote_update=False, applied_at=APPLIED)
    assert config_of_day(site, BEFORE - timedelta(days=1)) == site.config
