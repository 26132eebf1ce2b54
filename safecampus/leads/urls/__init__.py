from django.urls import path

from safecampus.leads import (
    views,
    views_excel,
    views_handling,
    views_merge,
    views_reveal,
    views_stats,
)

app_name = "leads"
urlpatterns = [
    path("", views.LeadListView.as_view(), name="list"),
    path("new/", views.LeadReportView.as_view(), name="new"),
    path("export/", views_excel.LeadExportView.as_view(), name="export"),
    path("import/", views_excel.LeadImportView.as_view(), name="import"),
    path(
        "import/template/",
        views_excel.LeadImportTemplateView.as_view(),
        name="import_template",
    ),
    path("statistics/", views_stats.LeadStatisticsView.as_view(), name="statistics"),
    path("<int:lead_id>/", views.LeadDetailView.as_view(), name="detail"),
    path("<int:lead_id>/actions/", views.LeadActionView.as_view(), name="action"),
    path("<int:lead_id>/merge/", views_merge.LeadMergeView.as_view(), name="merge"),
    path(
        "<int:lead_id>/transfers/<int:transfer_id>/",
        views_handling.TransferActionView.as_view(),
        name="transfer_action",
    ),
    path("<int:lead_id>/reveal/", views_reveal.RevealView.as_view(), name="reveal"),
    path("<int:lead_id>/names/", views_reveal.PersonsRevealView.as_view(), name="names"),
    path("<int:lead_id>/messages/", views.ReporterMessageView.as_view(), name="message_reporter"),
    path("<int:lead_id>/dual-reports/", views.DualReportAddView.as_view(), name="dual_report_add"),
]
