"""Routes: evaluation, accountability and the inspection ledger export (see urls.py)."""

from django.urls import URLPattern, path

from safecampus.inspections import views_evaluation as views

urlpatterns: list[URLPattern] = [
    path("evaluation/", views.EvaluationView.as_view(), name="evaluation"),
    path("evaluation/export.xlsx", views.EvaluationExportView.as_view(), name="evaluation_export"),
    path(
        "evaluation/<int:school_id>/",
        views.EvaluationSchoolView.as_view(),
        name="evaluation_school",
    ),
    path("export.xlsx", views.InspectionExportView.as_view(), name="inspection_export"),
    path("accountability/", views.AccountabilityListView.as_view(), name="accountability_list"),
    path(
        "accountability/new/",
        views.AccountabilityCreateView.as_view(),
        name="accountability_create",
    ),
]
