"""Query parameters held to what the schema says: a page, boolean, choice, number or date that is not one
is a 400, not silently ignored (a typo in `serves_http` must not list the whole fleet)."""

from __future__ import annotations

from typing import Any

from django_filters.rest_framework import DjangoFilterBackend
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request

from distributions.filters import unread_values


class StrictFilterBackend(DjangoFilterBackend):
    """django-filter's DRF backend with the views' FilterSets (DistributionFilter is the HTML list's own),
    refusing the values the HTML form's widgets would read as "any": booleans other than true/false, and
    empty choices, numbers and dates."""

    def get_filterset_kwargs(self, request: Request, queryset: Any, view: Any) -> dict:
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is not None:
            refused = unread_values(filterset_class, request.query_params, blank_is_any=False)
            if refused:
                raise ValidationError({name: [why] for name, why in refused.items()}, code="invalid")
        return super().get_filterset_kwargs(request, queryset, view)


class Pagination(PageNumberPagination):
    """`?page=N&page_size=M` (M from 1 to 500); `count`, `next`, `previous` and `results` in the body.

    A page past the last is a 404, as in DRF; the schema documents it and the bounds of both numbers.
    """

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500

    def get_page_size(self, request: Request) -> int:
        value = request.query_params.get(self.page_size_query_param)
        if value is None:
            return self.page_size
        if not value.isascii() or not value.isdigit() or not 1 <= int(value) <= self.max_page_size:
            raise ValidationError(
                {self.page_size_query_param: [f"Use a number from 1 to {self.max_page_size}."]},
                code="invalid",
            )
        return int(value)

    def get_schema_operation_parameters(self, view: Any) -> list[dict]:
        parameters = super().get_schema_operation_parameters(view)
        bounds = {
            self.page_query_param: {"minimum": 1},
            self.page_size_query_param: {"minimum": 1, "maximum": self.max_page_size},
        }
        for parameter in parameters:
            parameter["schema"].update(bounds.get(parameter["name"], {}))
        return parameters
