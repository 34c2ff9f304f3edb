from django.urls import path

import distributions.views_posture as views_posture
from distributions import views, views_changes, views_edit

urlpatterns = [
    path("", views.distribution_list, name="distribution-list"),
    path("distributions/<str:distribution_id>/", views.distribution_detail, name="distribution-detail"),
    path(
        "distributions/<str:distribution_id>/behaviors/edit/", views_edit.behavior_edit, name="behavior-edit"
    ),
    path(
        "distributions/<str:distribution_id>/behaviors/reorder/",
        views_edit.behaviors_reorder,
        name="behaviors-reorder",
    ),
    path(
        "distributions/<str:distribution_id>/origins/<str:origin_id>/edit/",
        views_edit.origin_edit,
        name="origin-edit",
    ),
    path(
        "distributions/<str:distribution_id>/certificate/edit/",
        views_edit.certificate_edit,
        name="certificate-edit",
    ),
    path("accounts/", views.account_list, name="account-list"),
    path("accounts/sync/", views.account_sync_now, name="account-sync-all"),
    path("accounts/<int:pk>/sync/", views.account_sync_now, name="account-sync"),
    path("changes/", views_changes.change_list, name="change-list"),
    path("changes/<int:pk>/", views_changes.change_detail, name="change-detail"),
    path("changes/<int:pk>/progress/", views_changes.change_progress, name="change-progress"),
    path("changes/<int:pk>/submit/", views_changes.change_submit, name="change-submit"),
    path("changes/<int:pk>/decide/", views_changes.change_decide, name="change-decide"),
    path("changes/<int:pk>/cancel/", views_changes.change_cancel, name="change-cancel"),
    path("changes/<int:pk>/retry/", views_changes.change_retry, name="change-retry"),
    path(
        "changes/<int:pk>/items/<str:distribution_id>/invalidate/",
        views_changes.change_invalidate,
        name="change-invalidate",
    ),
    path(
        "changes/<int:pk>/items/<str:distribution_id>/remove/",
        views_changes.change_item_remove,
        name="change-item-remove",
    ),
    path("audit/", views_changes.audit_log, name="audit-log"),
    path("posture/", views_posture.posture_page, name="posture"),
    path("posture/fix/", views_posture.posture_fix, name="posture-fix"),
    path("simulate/", views_posture.simulator, name="simulator"),
]
