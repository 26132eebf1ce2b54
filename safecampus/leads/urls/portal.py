from django.urls import path

from safecampus.leads import portal_views

app_name = "portal"
urlpatterns = [
    path("", portal_views.PortalReportView.as_view(), name="report"),
    path("status/", portal_views.PortalStatusView.as_view(), name="status"),
]
