"""/leads/…: the staff pages of leads (namespace ``leads``). The anonymous portal's pages,
/report/…, are ``urls/portal.py`` (namespace ``portal``); the API is ``leads/api/``."""

from django.urls import path

from safecampus.leads.views import excel, handling, leads, merge, reveal, stats

app_name = "leads"
urlpatterns = [
    path("", leads.LeadListView.as_view(), name="list"),
    path("new/", leads.LeadReportView.as_view(), name="new"),
    path("export/", excel.LeadExportView.as_view(), name="export"),
    path("import/", excel.LeadImportView.as_view(), name="import"),
    path("import/template/", excel.LeadImportTemplateView.as_view(), name="import_template"),
    path("statistics/", stats.LeadStatisticsView.as_view(), name="statistics"),
    path("<int:lead_id>/", leads.LeadDetailView.as_view(), name="detail"),
    path("<int:lead_id>/actions/", leads.LeadActionView.as_view(), name="action"),
    path("<int:lead_id>/merge/", merge.LeadMergeView.as_view(), name="merge"),
    path(
        "<int:lead_id>/transfers/<int:transfer_id>/",
        handling.TransferActionView.as_view(),
        name="transfer_action",
    ),
    path("<int:lead_id>/reveal/", reveal.RevealView.as_view(), name="reveal"),
    path("<int:lead_id>/names/", reveal.PersonsRevealView.as_view(), name="names"),
    path("<int:lead_id>/messages/", leads.ReporterMessageView.as_view(), name="message_reporter"),
    path("<int:lead_id>/dual-reports/", leads.DualReportAddView.as_view(), name="dual_report_add"),
]
