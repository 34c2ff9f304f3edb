"""The transition tables and their compare-and-set guards, and the diagrams drawn from them."""

import re
import threading
import time
from pathlib import Path

import pytest
from django.db import connection, transaction

from distributions import choices
from distributions.errors import InvalidState
from distributions.models import ChangeItem, ChangeRequest
from distributions.services import lifecycle
from tests.factories import make_distribution

pytestmark = pytest.mark.django_db

LIFECYCLE_MD = Path(__file__).resolve().parents[2] / "docs" / "LIFECYCLE.md"

# What the services allowed before the table existed: a move the table gains or loses must be deliberate.
CHANGE_MOVES = {
    "submit": ({"draft"}, "submitted"),
    "approve": ({"submitted"}, "approved"),
    "reject": ({"submitted"}, "rejected"),
    "revise": ({"submitted"}, "draft"),
    "cancel": ({"draft", "submitted", "approved", "scheduled"}, "cancelled"),
    "retry": ({"failed"}, "approved"),
    "schedule": ({"approved"}, "scheduled"),
    "due": ({"scheduled"}, "approved"),
    "unschedule": ({"scheduled"}, "approved"),
    "start": ({"approved"}, "applying"),
    "deploy": ({"applying"}, "deploying"),
    "complete": ({"applying", "deploying"}, "completed"),
    "fail": ({"applying", "deploying"}, "failed"),
    "conflict": ({"applying", "deploying"}, "conflict"),
    "pause": ({"applying", "deploying"}, "paused"),
    "resume": ({"paused", "halted"}, "applying"),
    "abort": ({"applying", "deploying", "paused", "halted"}, "aborted"),
    "halt": ({"applying"}, "halted"),
}
ITEM_MOVES = {
    "apply": ({"pending", "applying"}, "applying"),
    "deploy": ({"applying"}, "deploying"),
    "invalidate": ({"deploying"}, "invalidating"),
    "complete": ({"deploying", "invalidating"}, "completed"),
    "conflict": ({"applying"}, "conflict"),
    "fail": ({"applying", "deploying", "invalidating"}, "failed"),
    "cancel": ({"pending", "completed"}, "cancelled"),
    "retry": ({"failed", "conflict"}, "pending"),
    "abort": ({"pending", "applying"}, "cancelled"),  # applying: only unleased (services/rollout.py)
}


def _cases(moves, statuses, *, allowed):
    return [
        pytest.param(name, status, id=f"{name}-from-{status}")
        for name, (sources, _target) in moves.items()
        for status in statuses.values
        if (status in sources) == allowed
    ]


@pytest.fixture
def change(alice):
    return ChangeRequest.objects.create(title="Move to HTTPS", requester=alice)


@pytest.fixture
def item(change, account):
    return ChangeItem.objects.create(
        change_request=change, distribution=make_distribution(account), base_version="v1"
    )


def _status(model, pk):
    return model.objects.values_list("status", flat=True).get(pk=pk)


def test_the_tables_hold_exactly_the_moves_the_services_make():
    def table(transitions):
        return {name: (set(t.sources), t.target) for name, t in transitions.items()}

    assert table(lifecycle.CHANGE_TRANSITIONS) == CHANGE_MOVES
    assert table(lifecycle.ITEM_TRANSITIONS) == ITEM_MOVES


def test_a_change_can_be_cancelled_exactly_where_the_pages_offer_it():
    assert lifecycle.CHANGE_TRANSITIONS["cancel"].sources == choices.CHANGE_CANCELLABLE


# -- change requests ------------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "status"), _cases(CHANGE_MOVES, choices.ChangeStatus, allowed=True))
def test_it_moves_a_change_from_every_source(change, name, status):
    ChangeRequest.objects.filter(pk=change.pk).update(status=status)
    change.refresh_from_db()

    assert lifecycle.change_request_move(change, name, plan_hash="h") is True

    target = CHANGE_MOVES[name][1]
    assert (_status(ChangeRequest, change.pk), change.status, change.plan_hash) == (target, target, "h")


@pytest.mark.parametrize(("name", "status"), _cases(CHANGE_MOVES, choices.ChangeStatus, allowed=False))
def test_it_refuses_to_move_a_change_from_any_other_status(change, name, status):
    ChangeRequest.objects.filter(pk=change.pk).update(status=status)
    target = choices.ChangeStatus(CHANGE_MOVES[name][1])

    with pytest.raises(InvalidState) as refused:
        lifecycle.change_request_move(change, name, plan_hash="h")

    current = choices.ChangeStatus(status).label.lower()
    assert refused.value.message == (
        f"Change #{change.pk} is {current}, so it cannot become {target.label.lower()}."
    )
    assert refused.value.code == "invalid_state"
    assert change.status == status
    assert ChangeRequest.objects.filter(pk=change.pk, status=status, plan_hash="").exists()


@pytest.mark.parametrize(("name", "status"), _cases(CHANGE_MOVES, choices.ChangeStatus, allowed=False))
def test_the_worker_skips_a_change_in_any_other_status(change, name, status):
    ChangeRequest.objects.filter(pk=change.pk).update(status=status)

    assert lifecycle.change_request_move(change.pk, name, strict=False) is False
    assert _status(ChangeRequest, change.pk) == status


def test_it_tells_people_what_the_change_became_meanwhile(change):
    ChangeRequest.objects.filter(pk=change.pk).update(status="submitted")
    with pytest.raises(
        InvalidState, match=r"^Change #\d+ is awaiting approval, so it cannot become applying\.$"
    ):
        lifecycle.change_request_move(change, "start")


def test_a_second_decision_on_a_stale_copy_loses(change):
    ChangeRequest.objects.filter(pk=change.pk).update(status="submitted")
    first, second = ChangeRequest.objects.get(pk=change.pk), ChangeRequest.objects.get(pk=change.pk)

    lifecycle.change_request_move(first, "approve")
    with pytest.raises(InvalidState, match="is approved, so it cannot become rejected"):
        lifecycle.change_request_move(second, "reject")

    assert (_status(ChangeRequest, change.pk), second.status) == ("approved", "approved")


@pytest.mark.django_db(transaction=True)
def test_of_two_concurrent_moves_only_the_first_commits(alice):
    """The second UPDATE waits for the first transaction and then finds the row moved: no lost update."""
    change = ChangeRequest.objects.create(title="Race", requester=alice, status="approved")
    moved, results = threading.Event(), {}

    def move(name, *, first):
        try:
            if not first:
                moved.wait(5)
            with transaction.atomic():
                results[name] = lifecycle.change_request_move(change.pk, name, strict=False)
                if first:
                    moved.set()
                    time.sleep(0.3)  # hold the row, uncommitted, while the other one tries
        finally:
            connection.close()

    threads = [
        threading.Thread(target=move, args=("start",), kwargs={"first": True}),
        threading.Thread(target=move, args=("cancel",), kwargs={"first": False}),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)

    assert results == {"start": True, "cancel": False}
    assert _status(ChangeRequest, change.pk) == "applying"


# -- items ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "status"), _cases(ITEM_MOVES, choices.ItemStatus, allowed=True))
def test_it_moves_an_item_from_every_source(item, name, status):
    ChangeItem.objects.filter(pk=item.pk).update(status=status)
    item.refresh_from_db()

    lifecycle.item_move(item, name, error_code="x")

    target = ITEM_MOVES[name][1]
    assert (_status(ChangeItem, item.pk), item.status, item.error_code) == (target, target, "x")
    assert ChangeItem.objects.get(pk=item.pk).error_code == "x"


@pytest.mark.parametrize(("name", "status"), _cases(ITEM_MOVES, choices.ItemStatus, allowed=False))
def test_it_refuses_to_move_an_item_from_any_other_status(item, name, status):
    ChangeItem.objects.filter(pk=item.pk).update(status=status)
    item.refresh_from_db()
    target = choices.ItemStatus(ITEM_MOVES[name][1])

    with pytest.raises(InvalidState) as refused:
        lifecycle.item_move(item, name, error_code="x")

    current = choices.ItemStatus(status).label.lower()
    assert refused.value.message == (
        f"Change #{item.change_request_id}'s item {item.pk} is {current}, "
        f"so it cannot become {target.label.lower()}."
    )
    assert refused.value.code == "invalid_state"
    assert (item.status, item.error_code) == (status, "")
    assert ChangeItem.objects.filter(pk=item.pk, status=status, error_code="").exists()


def test_a_worker_whose_lease_ran_out_cannot_overwrite_the_item(item):
    ChangeItem.objects.filter(pk=item.pk).update(status="applying")
    late, taken_over = ChangeItem.objects.get(pk=item.pk), ChangeItem.objects.get(pk=item.pk)

    lifecycle.item_move(taken_over, "deploy", applied_etag="E2")
    with pytest.raises(InvalidState):
        lifecycle.item_move(late, "deploy", applied_etag="E1")

    assert ChangeItem.objects.values_list("status", "applied_etag").get(pk=item.pk) == ("deploying", "E2")


@pytest.mark.parametrize("name", ITEM_MOVES)
def test_a_bulk_move_takes_only_the_items_in_a_source_status(change, account, name):
    items = {
        status: ChangeItem.objects.create(
            change_request=change, distribution=make_distribution(account), base_version="v1", status=status
        )
        for status in choices.ItemStatus.values
    }
    sources, target = ITEM_MOVES[name]

    moved = lifecycle.items_move(change.items.all(), name, error_code="x")

    assert moved == len(sources)
    for status, row in items.items():
        row.refresh_from_db()
        expected = (target, "x") if status in sources else (status, "")
        assert (row.status, row.error_code) == expected, status


# -- the diagrams ---------------------------------------------------------------------------------


def test_docs_draw_the_tables_as_they_are():
    drawn = re.findall(r"```mermaid\n(.*?)```", LIFECYCLE_MD.read_text(), flags=re.DOTALL)
    expected = list(lifecycle.diagrams().values())
    assert drawn == expected, "docs/LIFECYCLE.md is out of date: paste lifecycle.diagrams() into it"


def test_every_status_appears_in_its_diagram():
    diagrams = lifecycle.diagrams()
    for model, statuses in (("ChangeRequest", choices.ChangeStatus), ("ChangeItem", choices.ItemStatus)):
        for status in statuses.values:
            assert re.search(rf"\b{status}\b", diagrams[model]), (model, status)
