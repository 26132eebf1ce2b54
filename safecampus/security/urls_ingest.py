"""Device-facing routes under /api/v1/ingest/ (no session, no CSRF: a device credential)."""

from django.urls import path

from safecampus.security import api_hikvision, api_ingest

urlpatterns = [
    path("ingest/events", api_ingest.IngestEventsView.as_view(), name="ingest_events"),
    path(
        "ingest/hikvision/<str:code>",
        api_hikvision.HikvisionIngestView.as_view(),
        name="ingest_hikvision",
    ),
]
