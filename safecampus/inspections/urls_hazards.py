"""Routes: the hazard register and rectification notices (see urls.py)."""

from django.urls import URLPattern, path

from safecampus.inspections import views_hazards as views

urlpatterns: list[URLPattern] = [
    path("hazards/", views.HazardListView.as_view(), name="hazard_list"),
    path("hazards/new/", views.HazardReportView.as_view(), name="hazard_report"),
    path("hazards/issue/", views.HazardIssueView.as_view(), name="hazard_issue"),
    path("hazards/export.xlsx", views.HazardExportView.as_view(), name="hazard_export"),
    path("hazards/<int:hazard_id>/", views.HazardDetailView.as_view(), name="hazard"),
    path(
        "hazards/<int:hazard_id>/interim/",
        views.HazardInterimView.as_view(),
        name="hazard_interim",
    ),
    path("hazards/<int:hazard_id>/void/", views.HazardVoidView.as_view(), name="hazard_void"),
    path("rectifications/", views.RectificationListView.as_view(), name="rectification_list"),
    path(
        "rectifications/<int:rectification_id>/",
        views.RectificationDetailView.as_view(),
        name="rectification",
    ),
    path(
        "rectifications/<int:rectification_id>/submit/",
        views.RectificationSubmitView.as_view(),
        name="rectification_submit",
    ),
    path(
        "rectifications/<int:rectification_id>/verify/",
        views.RectificationVerifyView.as_view(),
        name="rectification_verify",
    ),
    path(
        "rectifications/<int:rectification_id>/cancel/",
        views.RectificationCancelView.as_view(),
        name="rectification_cancel",
    ),
    path(
        "rectifications/<int:rectification_id>/notice.pdf",
        views.RectificationPdfView.as_view(),
        name="rectification_pdf",
    ),
]
