from django.urls import path

from distributions import views

urlpatterns = [
    path("", views.distribution_list, name="distribution-list"),
]
