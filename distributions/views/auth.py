"""Signing out: GET /logout/ asks, only a POST (with its CSRF token) signs out."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.decorators import method_decorator


@method_decorator(login_not_required, name="dispatch")
class LogoutView(auth_views.LogoutView):
    """Django's LogoutView (POST signs out), with a page for GET instead of a blank 405.

    The page only offers a "Sign out" button: a GET that signed out would let any other site sign a user out
    with an <img src=".../logout/">, and browsers prefetch links (CSRF logout).
    """

    http_method_names = ["get", "post", "options"]

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect("login")
        return render(request, "registration/logout.html")
