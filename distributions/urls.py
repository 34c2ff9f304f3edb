from django.urls import path

from distributions import views

urlpatterns = [
    path("", views.distribution_list, name="distribution-list"),
    path("distributions/<str:distribution_id>/", views.distribution_detail, name="distribution-detail"),
    path("accounts/", views.account_list, name="account-list"),
    path("accounts/sync/", views.account_sync_now, name="account-sync-all"),
    path("accounts/<int:pk>/sync/", views.account_sync_now, name="account-sync"),
]
