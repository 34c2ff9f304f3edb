"""What every HTML view shares: the role check (who is acting is `Actor.from_request(request)`), and the
reading of a list page's filters, which names every value it refuses instead of ignoring it silently."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

import django_filters
from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse

from distributions import choices
from distributions.filters import unread_values
from distributions.models import ChangeRequest
from distributions.roles import can

View = Callable[..., HttpResponse]

# Said after an edit that sent a submitted change back to draft (services/changes.py).
SENT_BACK = " It went back to draft: review it, confirm the checklist again and resubmit it."


def sent_back_note(change: ChangeRequest | None) -> str:
    """What to add to an edit's message when the edit sends a submitted change back to draft (asked before
    the edit, while the change is still submitted)."""
    return SENT_BACK if change is not None and change.status == choices.ChangeStatus.SUBMITTED else ""


def requires(capability: str) -> Callable[[View], View]:
    """Refuse with 403 unless the user's role grants `capability` (login itself is enforced globally)."""

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not can(request.user, capability):
                raise PermissionDenied(f"Your role does not allow this ({capability}). Ask an admin.")
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


FilterSetT = TypeVar("FilterSetT", bound=django_filters.FilterSet)


def refusal(name: str, why: str) -> str:
    """How the alert above a list names a refused filter (base.html shows the view's `filter_refusals`)."""
    return f"Filter '{name}': {why}"


def filter_refusals(form: forms.Form) -> list[str]:
    """One sentence per query parameter a list's filter form refused, saying why.

    The page shows its list without the refused filters, and the other filters still apply: a page that
    showed nothing would look like "no match", and the alert says which filters are missing.
    """
    return [
        refusal("filters" if name == NON_FIELD_ERRORS else name, " ".join(str(e) for e in errors))
        for name, errors in form.errors.items()
    ]


def filterset_read(
    filterset_class: type[FilterSetT],
    request: HttpRequest,
    queryset: QuerySet,
    *,
    also: tuple[str, ...] = ("page",),
) -> tuple[FilterSetT, list[str]]:
    """The list page's FilterSet bound to the query string, and the refusals of its values (filter_refusals):
    besides what validation refuses, a boolean other than true or false, which the form would read as "any",
    and a parameter the page does not know (an old link's `?change=`, a typo), which would filter nothing.
    `also` names the page's parameters that are not filters (its page number, its tab).
    """
    filterset = filterset_class(request.GET, queryset=queryset, request=request)
    form = filterset.form
    form.errors  # noqa: B018 (cleans the form: add_error below then takes the value out of cleaned_data)
    for name, why in unread_values(filterset_class, request.GET, blank_is_any=True).items():
        form.add_error(name, why)
    known = set(filterset_class.base_filters) | set(also)
    unknown = [
        refusal(
            name,
            f"this page has no such filter; it filters by {', '.join(sorted(filterset_class.base_filters))}.",
        )
        for name, value in request.GET.items()
        if name not in known and value  # a blank field of some other form filters nothing either way
    ]
    return filterset, filter_refusals(form) + unknown
