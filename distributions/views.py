"""HTML views: thin, they call selectors to read and services to write."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def distribution_list(request: HttpRequest) -> HttpResponse:
    return render(request, "distributions/distribution_list.html", {})
