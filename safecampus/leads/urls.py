from django.urls import path

from safecampus.leads import views

app_name = "leads"
urlpatterns = [
    path("", views.LeadListView.as_view(), name="list"),
    path("new/", views.LeadReportView.as_view(), name="new"),
    path("<int:lead_id>/", views.LeadDetailView.as_view(), name="detail"),
    path("<int:lead_id>/actions/", views.LeadActionView.as_view(), name="action"),
    path("<int:lead_id>/messages/", views.ReporterMessageView.as_view(), name="message_reporter"),
    path("<int:lead_id>/dual-reports/", views.DualReportAddView.as_view(), name="dual_report_add"),
]
