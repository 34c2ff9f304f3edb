"""What one item's apply step costs the database: pinned, so the worker's bookkeeping cannot grow silently.

A fleet-wide change runs this step once per distribution (issue 15: the worker's bookkeeping, not AWS, was
what made a change across 500 distributions slower than a bare Get+Update loop).
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from distributions.cloudfront.edits import SetViewerProtocolPolicy
from distributions.models import AuditEvent
from distributions.services import apply, changes, decisions, lifecycle, progress
from distributions.services.guards import Actor
from distributions.services.sync import account_sync

pytestmark = pytest.mark.django_db

CHECKED = {key: True for key in decisions.CHECKLIST}


def approved_across(alice, bob, distributions):
    change = changes.change_request_create(actor=Actor(alice), title="Move to HTTPS")
    for distribution in distributions:
        changes.change_edits_add(
            actor=Actor(alice),
            change_request=change,
            distribution=distribution,
            edits=[SetViewerProtocolPolicy(path_pattern="default", policy="https-only")],
        )
    decisions.change_request_submit(actor=Actor(alice), change_request=change, checklist=CHECKED)
    return decisions.change_request_approve(actor=Actor(bob), change_request=change)


def test_one_items_apply_step_costs_a_fixed_number_of_queries(sandbox, account, alice, bob):
    ids = sandbox.seed_bulk(3)
    account_sync(account=account, trigger="command")
    change = approved_across(alice, bob, [account.distributions.get(distribution_id=i) for i in ids])
    first, *_others = apply.change_apply_start(change_request_id=change.pk)
    item_id, _countdown, step = first
    with CaptureQueriesContext(connection) as queries:
        following = apply.item_advance(item_id=item_id, step=step)
    item = change.items.get(pk=item_id)
    assert (item.status, item.wrote_update, item.lease_until) == ("deploying", True, None)
    assert following.countdown is not None and following.step == item.step
    assert AuditEvent.objects.filter(change_request=change, action="item.updated").count() == 1
    # The item with its change and account (read, no lease yet), the move to applying that counts the
    # attempt and takes the lease in one compare-and-set (committed before AWS is called: a worker killed
    # mid-call leaves the attempt counted), then one transaction: the move to deploying with the next
    # step's chain number, the audit row, the change's status last (its row locked until the commit, one
    # EXISTS probe), and the savepoint pair around them; after it, outside the change's lock, the lease of
    # parked items to apply in a row (one UPDATE, which finds none here: nothing is parked) and pacing's
    # pull (a count, the parked ids). The next chain number is the one
    # taken plus one (the take compared it, and the lease kept everybody else off the item), not read back.
    # 11 before the wave probe went (a move to deploying cannot finish a wave, so there is nothing for it
    # to find: progress.change_refresh's `applied`); 10 before the batch's lease.
    sql = "\n".join(query["sql"][:120] for query in queries.captured_queries)
    assert len(queries) == 11, sql


def test_an_apply_step_near_the_end_of_its_lease_reads_the_chain_number_back(
    sandbox, account, alice, bob, monkeypatch
):
    """Past the lease's margin the sweeper may have started another chain: the step then writes
    step + 1 in SQL and reads the row's number back, so the message it schedules is the live one."""
    ids = sandbox.seed_bulk(3)
    account_sync(account=account, trigger="command")
    change = approved_across(alice, bob, [account.distributions.get(distribution_id=i) for i in ids])
    (item_id, _countdown, step), *_others = apply.change_apply_start(change_request_id=change.pk)
    monkeypatch.setattr(progress, "LEASE_MARGIN_SECONDS", 10**6)
    with CaptureQueriesContext(connection) as queries:
        following = apply.item_advance(item_id=item_id, step=step)
    item = change.items.get(pk=item_id)
    assert item.status == "deploying" and following.step == item.step == step + 1
    assert len(queries) == 12  # the one more: the chain number read back


def test_the_move_to_applying_loses_to_a_worker_that_leased_the_item_after_it_was_read(
    sandbox, account, alice, bob
):
    """Reading takes no lease, so the move to applying is the compare-and-set that takes it: a worker that
    leased the item in between wins, and the late one writes nothing (no attempt counted, no call)."""
    ids = sandbox.seed_bulk(1)
    account_sync(account=account, trigger="command")
    change = approved_across(alice, bob, [account.distributions.get(distribution_id=ids[0])])
    ((item_id, _countdown, step),) = apply.change_apply_start(change_request_id=change.pk)
    sandbox.reset_calls()
    late = progress.lease_candidate(item_id, progress.ACTIVE_ITEM, step)
    first = progress.lease_candidate(item_id, progress.ACTIVE_ITEM, step)
    assert late is not None and first is not None and progress.lease_take(first, step)

    taken = lifecycle.item_take(
        late, "apply", progress.lease_free(step), attempts=late.attempts + 1, lease_until=None
    )

    assert not taken
    assert change.items.values_list("status", "attempts").get() == ("pending", 0)
    assert apply.item_advance(item_id=item_id, step=step).countdown is None  # still leased: nothing done
    assert sandbox.calls() == {}
