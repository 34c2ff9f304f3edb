"""Unreachable behaviors, stricter policies and the behaviors' context on the pages that list behaviors."""

import pytest

from distributions.models import ChangeRequest
from tests.factories import make_distribution

pytestmark = pytest.mark.django_db


@pytest.fixture
def media(account):
    """The demo's media distribution in small: /img/* sits behind /img*, /images/*.jpg behind *.jpg."""
    return make_distribution(
        account,
        aliases=("media.example.com",),
        behaviors=(
            ("/img*", "redirect-to-https"),
            ("/img/*", "https-only"),
            ("*.jpg", "allow-all"),
            ("/images/*.jpg", "https-only"),
        ),
    )


def url(distribution, page=""):
    return f"/distributions/{distribution.distribution_id}/{page}"


def test_the_behaviors_tab_flags_unreachable_behaviors_and_names_who_takes_their_requests(
    client, vera, media
):
    client.force_login(vera)
    response = client.get(url(media) + "?tab=behaviors")
    rows = {b.path_pattern: b for b in response.context["behaviors"]}
    assert rows["/img/*"].shadowed_by == ((0, "/img*"),)
    assert rows["/images/*.jpg"].shadowed_by == ((2, "*.jpg"),)
    assert rows["/img*"].shadowed_by == rows["*.jpg"].shadowed_by == rows["*"].shadowed_by == ()
    body = response.content.decode()
    assert body.count('eg-unreachable"') == 2
    assert '<span class="eg-mono">/img*</span> (precedence 0) takes every request it matches' in body


def test_the_behaviors_tab_shows_each_behavior_s_context_and_origin_protocol(client, vera, media):
    client.force_login(vera)
    body = client.get(url(media) + "?tab=behaviors").content.decode()
    assert 'id="behavior-context-1"' in body
    assert "Lambda@Edge" in body and "Response headers policy" in body
    assert 'origin: <span class="eg-mono">https-only</span>' in body


def test_the_edit_page_warns_of_requests_a_stricter_policy_refuses(client, alice, media):
    client.force_login(alice)
    response = client.get(url(media, "behaviors/edit/") + "?pattern=/img*")
    img = next(b for b in response.context["behaviors"] if b.path_pattern == "/img*")
    (preview,) = img.stricter
    assert preview.policy == "https-only"
    assert [(r.method, r.http_version, r.before.status, r.after.summary) for r in preview.refused] == [
        ("GET", "1.1", 301, "403 refused")
    ]
    body = response.content.decode()
    assert 'data-stricter-pattern="/img*" data-stricter-policy="https-only"' in body
    assert "GET http://media.example.com/imgexample" in body
    # Unreachable behaviors refuse nothing more: no request reaches them.
    hidden = next(b for b in response.context["behaviors"] if b.path_pattern == "/images/*.jpg")
    assert hidden.stricter == ()  # already https-only
    jpg = next(b for b in response.context["behaviors"] if b.path_pattern == "*.jpg")
    assert [p.policy for p in jpg.stricter] == ["redirect-to-https", "https-only"]


def test_the_review_warns_of_a_stricter_policy_with_the_requests_it_refuses(client, alice, media):
    client.force_login(alice)
    client.post(
        url(media, "behaviors/edit/"), {"patterns": ["*.jpg"], "policy": "https-only", "title": "Lock jpg"}
    )
    change = ChangeRequest.objects.get()
    response = client.get(f"/changes/{change.pk}/")
    (stricter,) = response.context["reviews"][0].stricter
    assert (stricter.path_pattern, stricter.before, stricter.after) == ("*.jpg", "allow-all", "https-only")
    assert {(r.method, r.http_version, r.before.status) for r in stricter.refused} == {("GET", "1.1", 200)}
    assert "Stricter policy" in response.content.decode()


def test_the_review_says_a_reorder_makes_a_behavior_reachable_again_and_describes_the_move(
    client, alice, media
):
    client.force_login(alice)
    order = "/img/*\n/img*\n*.jpg\n/images/*.jpg"
    response = client.post(url(media, "behaviors/reorder/"), {"order": order, "title": "Free /img/*"})
    change = ChangeRequest.objects.get()
    page = client.get(response.url)
    review = page.context["reviews"][0]
    assert [(r.path_pattern, r.reachable) for r in review.reachability] == [("/img/*", True)]
    assert [b.shadowed_by for b in review.behaviors_after][:2] == [(), ()]
    body = page.content.decode()
    assert "Reachable again" in body and "Moved /img/* from 1 to 0" in body
    assert "('" not in body, "the order prints as a Python tuple"
    # Freed, /img/* (https-only) now takes requests /img* (redirect-to-https) answered with 301.
    (moved,) = review.stricter
    assert (moved.moved_from, moved.path_pattern, moved.before, moved.after) == (
        "/img*",
        "/img/*",
        "redirect-to-https",
        "https-only",
    )
    assert [(r.method, r.url, r.before.status) for r in moved.refused] == [
        ("GET", "http://media.example.com/img/example", 301)
    ]
    assert "Requests move to a stricter behavior" in body
    assert change.items.count() == 1


def test_the_review_says_a_reorder_makes_a_behavior_unreachable(client, alice, account):
    distribution = make_distribution(
        account, behaviors=(("/api/v1/*", "https-only"), ("/api/*", "https-only"))
    )
    client.force_login(alice)
    response = client.post(
        url(distribution, "behaviors/reorder/"), {"order": "/api/*\n/api/v1/*", "title": "Broad first"}
    )
    review = client.get(response.url).context["reviews"][0]
    (change,) = review.reachability
    assert (change.path_pattern, change.reachable, change.shadowed_by) == (
        "/api/v1/*",
        False,
        ((0, "/api/*"),),
    )


def test_the_reorder_preview_shows_moves_and_reachability_without_adding_anything(client, alice, media):
    client.force_login(alice)
    order = "/img/*\n/img*\n*.jpg\n/images/*.jpg"
    response = client.post(url(media, "behaviors/reorder/"), {"order": order, "preview": "1"})
    assert response.status_code == 200
    preview = response.context["preview"]
    assert preview.moves == ["Moved /img/* from 1 to 0"]
    assert [(r.path_pattern, r.reachable) for r in preview.reachability] == [("/img/*", True)]
    assert [b.path_pattern for b in response.context["ordered"]] == order.split("\n")
    assert [(w.moved_from, w.path_pattern) for w in preview.stricter] == [("/img*", "/img/*")]
    assert ChangeRequest.objects.count() == 0


def test_the_reorder_page_flags_unreachable_behaviors_before_any_preview(client, alice, media):
    client.force_login(alice)
    body = client.get(url(media, "behaviors/reorder/")).content.decode()
    assert body.count('eg-unreachable"') == 2


@pytest.mark.parametrize("order", ["/img*\n/img*\n*.jpg\n/images/*.jpg", "/img*\n/nope/*", ""])
def test_a_preview_of_a_bad_order_says_why_instead_of_failing(client, alice, media, order):
    client.force_login(alice)
    response = client.post(url(media, "behaviors/reorder/"), {"order": order, "preview": "1"})
    assert response.status_code == 200
    assert response.context["form"].errors
    assert ChangeRequest.objects.count() == 0


def test_a_redirected_post_the_behavior_refuses_reads_307_then_403(client, alice, account):
    """§1: redirect-to-https answers HTTP/1.1 POST with 307; the behavior allows only GET and HEAD (the
    default), so the retry over HTTPS is refused."""
    distribution = make_distribution(account, aliases=("app.example.com",), default_policy="https-only")
    client.force_login(alice)
    client.post(
        url(distribution, "behaviors/edit/"), {"patterns": ["*"], "policy": "redirect-to-https", "title": "t"}
    )
    review = client.get(f"/changes/{ChangeRequest.objects.get().pk}/").context["reviews"][0]
    post = next(s for s in review.samples_changed if (s.method, s.http_version) == ("POST", "1.1"))
    assert (post.before.summary, post.after.summary) == ("403 refused", "307, then 403 over HTTPS")
    assert post.after.refused and review.stricter == []
