"""The security routes under /api/v1/ (in the ``api`` namespace, included by
``safecampus/api/urls.py``): device ingestion, the alert figures per school, and alerts for
programs."""

from django.urls import path

from safecampus.security.api import alerts, hikvision, ingest, stats

#: Device-facing: no session, no CSRF, a device credential (see ``api.ingest``).
ingest_patterns = [
    path("ingest/events", ingest.IngestEventsView.as_view(), name="ingest_events"),
    path(
        "ingest/hikvision/<str:code>",
        hikvision.HikvisionIngestView.as_view(),
        name="ingest_hikvision",
    ),
]

#: /api/v1/security/stats/: alert figures per school.
stats_patterns = [
    path("security/stats/", stats.AlertStatsAPIView.as_view(), name="security_stats"),
]

#: /api/v1/alerts/…: alerts for programs (session or API token).
alert_patterns = [
    path("alerts/", alerts.AlertListAPIView.as_view(), name="alert_list"),
    path("alerts/<int:alert_id>/", alerts.AlertDetailAPIView.as_view(), name="alert_detail"),
    path(
        "alerts/<int:alert_id>/<str:action>/",
        alerts.AlertActionAPIView.as_view(),
        name="alert_action",
    ),
]

urlpatterns = [*ingest_patterns, *stats_patterns, *alert_patterns]
