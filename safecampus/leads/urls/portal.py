"""/report/…: the anonymous public portal's pages (namespace ``portal``)."""

from django.urls import path

from safecampus.leads.views import portal

app_name = "portal"
urlpatterns = [
    path("", portal.PortalReportView.as_view(), name="report"),
    path("status/", portal.PortalStatusView.as_view(), name="status"),
]
