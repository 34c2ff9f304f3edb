"""The HTML pages' URLs, one block per area (distributions/views/)."""

from django.urls import path

from distributions.views import accounts, audit, changes, edit, fleet, posture, revert, teams, traffic, waves

urlpatterns = [
    path("", fleet.distribution_list, name="distribution-list"),
    path("distributions/<str:distribution_id>/", fleet.distribution_detail, name="distribution-detail"),
    path(
        "distributions/<str:distribution_id>/traffic/",
        traffic.distribution_traffic,
        name="distribution-traffic",
    ),
    path(
        "distributions/<str:distribution_id>/traffic/refresh/",
        traffic.distribution_traffic_refresh,
        name="distribution-traffic-refresh",
    ),
    path("accounts/", fleet.account_list, name="account-list"),
    path("accounts/sync/", fleet.account_sync_now, name="account-sync-all"),
    path("accounts/<int:pk>/sync/", fleet.account_sync_now, name="account-sync"),
    # Adding, testing and removing accounts (admins), and discovering them from AWS Organizations.
    path("accounts/new/", accounts.account_new, name="account-new"),
    path("accounts/discover/", accounts.account_discover, name="account-discover"),
    path("accounts/discover/add/", accounts.account_discover_add, name="account-discover-add"),
    path("accounts/<int:pk>/", accounts.account_detail, name="account-detail"),
    path("accounts/<int:pk>/edit/", accounts.account_edit, name="account-edit"),
    path("accounts/<int:pk>/test/", accounts.account_test, name="account-test"),
    path("accounts/<int:pk>/remove/", accounts.account_remove, name="account-remove"),
    # The console's edit flow.
    path("distributions/<str:distribution_id>/behaviors/edit/", edit.behavior_edit, name="behavior-edit"),
    path(
        "distributions/<str:distribution_id>/behaviors/reorder/",
        edit.behaviors_reorder,
        name="behaviors-reorder",
    ),
    # The origin is a query parameter (?origin=): CloudFront allows any characters in an origin id, and
    # one such as "team/api?x#y" or ".." cannot be a path segment browsers keep intact.
    path("distributions/<str:distribution_id>/origins/edit/", edit.origin_edit, name="origin-edit"),
    path(
        "distributions/<str:distribution_id>/certificate/edit/",
        edit.certificate_edit,
        name="certificate-edit",
    ),
    # Change requests and their decisions.
    path("changes/", changes.change_list, name="change-list"),
    path("changes/<int:pk>/", changes.change_detail, name="change-detail"),
    path("changes/<int:pk>/progress/", changes.change_progress, name="change-progress"),
    path("changes/<int:pk>/submit/", changes.change_submit, name="change-submit"),
    path("changes/<int:pk>/decide/", changes.change_decide, name="change-decide"),
    path("changes/<int:pk>/cancel/", changes.change_cancel, name="change-cancel"),
    path("changes/<int:pk>/retry/", changes.change_retry, name="change-retry"),
    path("changes/<int:pk>/revert/", revert.change_revert, name="change-revert"),
    path("changes/<int:pk>/schedule/", revert.change_schedule, name="change-schedule"),
    path("changes/<int:pk>/unschedule/", revert.change_unschedule, name="change-unschedule"),
    path("changes/<int:pk>/pause/", waves.change_pause, name="change-pause"),
    path("changes/<int:pk>/resume/", waves.change_resume, name="change-resume"),
    path("changes/<int:pk>/abort/", waves.change_abort, name="change-abort"),
    path("changes/<int:pk>/rollout/", waves.change_rollout, name="change-rollout"),
    path(
        "changes/<int:pk>/items/<str:distribution_id>/invalidate/",
        changes.change_invalidate,
        name="change-invalidate",
    ),
    path(
        "changes/<int:pk>/items/<str:distribution_id>/remove/",
        changes.change_item_remove,
        name="change-item-remove",
    ),
    path(
        "changes/<int:pk>/items/<str:distribution_id>/edits/remove/",
        changes.change_edit_remove,
        name="change-edit-remove",
    ),
    path("audit/", audit.audit_log, name="audit-log"),
    # Posture, Fix and the simulator.
    path("posture/", posture.posture_page, name="posture"),
    path("posture/fix/", posture.posture_fix, name="posture-fix"),
    path("simulate/", posture.simulator, name="simulator"),
    # Teams and what they own (admins).
    path("teams/", teams.team_list, name="team-list"),
    path("teams/<int:pk>/", teams.team_detail, name="team-detail"),
    path("teams/<int:pk>/delete/", teams.team_delete, name="team-delete"),
    path("teams/accounts/<int:pk>/approvals/", teams.account_approvals, name="account-approvals"),
]
