"""/api/v1/alerts/…: alerts for programs (session or API token)."""

from django.urls import path

from safecampus.security import api_alerts

urlpatterns = [
    path("alerts/", api_alerts.AlertListAPIView.as_view(), name="alert_list"),
    path("alerts/<int:alert_id>/", api_alerts.AlertDetailAPIView.as_view(), name="alert_detail"),
    path(
        "alerts/<int:alert_id>/<str:action>/",
        api_alerts.AlertActionAPIView.as_view(),
        name="alert_action",
    ),
]
