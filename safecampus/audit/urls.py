"""The audit trail's pages: the list, its CSV export and the chain check."""

from django.urls import path

from safecampus.audit import views

app_name = "audit"
urlpatterns = [
    path("", views.AuditEventListView.as_view(), name="event_list"),
    path("verify/", views.AuditVerifyView.as_view(), name="verify"),
    path("export.csv", views.AuditExportView.as_view(), name="export"),
]
