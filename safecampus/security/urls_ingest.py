"""Device-facing routes under /api/v1/ingest/ (no session, no CSRF: a device credential)."""

from django.urls import path

from safecampus.security import api_ingest

urlpatterns = [
    path("ingest/events", api_ingest.IngestEventsView.as_view(), name="ingest_events"),
]
