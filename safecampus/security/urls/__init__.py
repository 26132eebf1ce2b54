"""The security app's routes. This module holds the pages under /security/ in the
``security`` namespace: the live alert console and alert history. Beside it, each mounted by
its own include (their namespaces are part of every ``{% url %}`` name):

- ``devices``: /security/devices/, events/, stats/ (namespace ``security_devices``);
- ``rules``: /security/rules/ (namespace ``security_rules``);
- ``api``: ingestion, statistics and alerts under /api/v1/ (inside the ``api`` namespace).
"""

from django.urls import path

from safecampus.security.views import console as views_console

app_name = "security"
urlpatterns = [
    path("console/", views_console.ConsoleView.as_view(), name="console"),
    path("console/feed/", views_console.ConsoleFeedView.as_view(), name="console_feed"),
    path("console/map/", views_console.ConsoleMapView.as_view(), name="console_map"),
    path("alerts/", views_console.AlertHistoryView.as_view(), name="alert_list"),
    path("alerts/export.csv", views_console.AlertExportView.as_view(), name="alert_export"),
    path("alerts/<int:alert_id>/", views_console.AlertDetailView.as_view(), name="alert_detail"),
    path(
        "alerts/<int:alert_id>/<str:action>/",
        views_console.AlertActionView.as_view(),
        name="alert_action",
    ),
]
