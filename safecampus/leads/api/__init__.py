"""/api/v1/ for leads, one module per part, as the pages are: ``leads`` (the ledger and a
lead, categories), ``actions`` (a lead's moves, transfers, reveal, timeline), ``merge``,
``excel`` (export, import), ``stats`` and ``portal`` (the anonymous public portal).

``urlpatterns`` lists them all for ``safecampus.api.urls``. The order matters:
``leads/statistics/``, ``…/export/`` and ``…/import/`` come before ``leads/<reference>/``.
"""

from django.urls import path

from safecampus.leads.api import actions, excel, leads, merge, portal, stats

urlpatterns = [
    path("public/leads/", portal.PublicLeadCreateAPIView.as_view(), name="public_lead_create"),
    path(
        "public/leads/status/", portal.PublicLeadStatusAPIView.as_view(), name="public_lead_status"
    ),
    path(
        "public/leads/messages/",
        portal.PublicLeadMessageAPIView.as_view(),
        name="public_lead_message",
    ),
    path("leads/", leads.LeadListAPIView.as_view(), name="lead_list"),
    path("leads/statistics/", stats.LeadStatisticsAPIView.as_view(), name="lead_statistics"),
    path("leads/export/", excel.LeadExportAPIView.as_view(), name="lead_export"),
    path("leads/import/", excel.LeadImportAPIView.as_view(), name="lead_import"),
    path("leads/<str:reference>/", leads.LeadDetailAPIView.as_view(), name="lead_detail"),
    path("leads/<str:reference>/merge/", merge.LeadMergeAPIView.as_view(), name="lead_merge"),
    path(
        "leads/<str:reference>/duplicates/",
        merge.LeadDuplicatesAPIView.as_view(),
        name="lead_duplicates",
    ),
    path("lead-categories/", leads.LeadCategoryListAPIView.as_view(), name="lead_category_list"),
    path("leads/<str:reference>/actions/", actions.LeadActionAPIView.as_view(), name="lead_action"),
    path(
        "leads/<str:reference>/transfers/<int:transfer_id>/",
        actions.LeadTransferActionAPIView.as_view(),
        name="lead_transfer_action",
    ),
    path("leads/<str:reference>/reveal/", actions.LeadRevealAPIView.as_view(), name="lead_reveal"),
    path(
        "leads/<str:reference>/dual-reports/",
        actions.LeadDualReportAPIView.as_view(),
        name="lead_dual_reports",
    ),
    path(
        "leads/<str:reference>/timeline/",
        actions.LeadTimelineAPIView.as_view(),
        name="lead_timeline",
    ),
]
