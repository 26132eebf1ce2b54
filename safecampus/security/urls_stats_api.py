"""/api/v1/security/stats/: alert figures per school."""

from django.urls import path

from safecampus.security import api_stats

urlpatterns = [
    path("security/stats/", api_stats.AlertStatsAPIView.as_view(), name="security_stats"),
]
