"""The provider's pages: its login, a page saying who is signed in there, and the OAuth/OIDC endpoints."""

from django.contrib.auth import views as auth_views
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import include, path


def home(request):
    return render(request, "home.html")


def no_icon(request):
    # Browsers ask every origin for one; a 404 would count as a page error in the browser tests.
    return HttpResponse(status=204)


urlpatterns = [
    path("", home, name="home"),
    path("favicon.ico", no_icon),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("o/", include("oauth2_provider.urls", namespace="oauth2_provider")),
]
