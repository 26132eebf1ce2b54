"""Pages of the inspections app under ``/inspections/``: one list of routes per part, joined in
``urlpatterns`` (the URL names are the app's, ``inspections:<name>``)."""

from django.urls import URLPattern, path

from safecampus.inspections.views import evaluation, hazards, inspections, plans, templates

app_name = "inspections"

#: Routes: doing inspections and the inspection list.
inspection_patterns: list[URLPattern] = [
    path("", inspections.InspectionListView.as_view(), name="inspection_list"),
    path("new/", inspections.InspectionNewView.as_view(), name="inspection_new"),
    path("<int:inspection_id>/", inspections.InspectionDetailView.as_view(), name="inspection"),
    path("<int:inspection_id>/answers/", inspections.AnswerSaveView.as_view(), name="answer_save"),
    path("<int:inspection_id>/photos/", inspections.AnswerPhotoView.as_view(), name="answer_photo"),
    path(
        "<int:inspection_id>/photos/<uuid:attachment_id>/delete/",
        inspections.AnswerPhotoDeleteView.as_view(),
        name="answer_photo_delete",
    ),
    path(
        "<int:inspection_id>/submit/",
        inspections.InspectionSubmitView.as_view(),
        name="inspection_submit",
    ),
    path(
        "<int:inspection_id>/cancel/",
        inspections.InspectionCancelView.as_view(),
        name="inspection_cancel",
    ),
]

#: Routes: checklists and inspection plans.
template_patterns: list[URLPattern] = [
    path("checklists/", templates.TemplateListView.as_view(), name="template_list"),
    path("checklists/new/", templates.TemplateCreateView.as_view(), name="template_create"),
    path(
        "checklists/<int:template_id>/",
        templates.TemplateDetailView.as_view(),
        name="template_detail",
    ),
    path(
        "checklists/<int:template_id>/edit/",
        templates.TemplateEditView.as_view(),
        name="template_edit",
    ),
    path(
        "checklists/<int:template_id>/draft/",
        templates.TemplateDraftView.as_view(),
        name="version_draft",
    ),
    path(
        "checklists/<int:template_id>/active/",
        templates.TemplateActiveView.as_view(),
        name="template_active",
    ),
    path(
        "checklists/versions/<int:version_id>/",
        templates.VersionDetailView.as_view(),
        name="version_detail",
    ),
    path(
        "checklists/versions/<int:version_id>/settings/",
        templates.VersionUpdateView.as_view(),
        name="version_update",
    ),
    path(
        "checklists/versions/<int:version_id>/publish/",
        templates.VersionPublishView.as_view(),
        name="version_publish",
    ),
    path(
        "checklists/versions/<int:version_id>/discard/",
        templates.VersionDiscardView.as_view(),
        name="version_discard",
    ),
    path(
        "checklists/versions/<int:version_id>/sections/",
        templates.SectionAddView.as_view(),
        name="section_add",
    ),
    path(
        "checklists/sections/<int:section_id>/",
        templates.SectionEditView.as_view(),
        name="section_edit",
    ),
    path(
        "checklists/sections/<int:section_id>/delete/",
        templates.SectionDeleteView.as_view(),
        name="section_delete",
    ),
    path(
        "checklists/sections/<int:section_id>/move/",
        templates.SectionMoveView.as_view(),
        name="section_move",
    ),
    path(
        "checklists/sections/<int:section_id>/items/new/",
        templates.ItemAddView.as_view(),
        name="item_add",
    ),
    path("checklists/items/<int:item_id>/", templates.ItemEditView.as_view(), name="item_edit"),
    path(
        "checklists/items/<int:item_id>/delete/",
        templates.ItemDeleteView.as_view(),
        name="item_delete",
    ),
    path(
        "checklists/items/<int:item_id>/move/", templates.ItemMoveView.as_view(), name="item_move"
    ),
    path("plans/", plans.PlanListView.as_view(), name="plan_list"),
    path("plans/new/", plans.PlanCreateView.as_view(), name="plan_create"),
    path("plans/<int:plan_id>/edit/", plans.PlanEditView.as_view(), name="plan_edit"),
    path(
        "plans/<int:plan_id>/generate/",
        plans.PlanGenerateView.as_view(),
        name="plan_generate",
    ),
    path("plans/<int:plan_id>/active/", plans.PlanActiveView.as_view(), name="plan_active"),
]

#: Routes: the hazard register and rectification notices.
hazard_patterns: list[URLPattern] = [
    path("hazards/", hazards.HazardListView.as_view(), name="hazard_list"),
    path("hazards/new/", hazards.HazardReportView.as_view(), name="hazard_report"),
    path("hazards/issue/", hazards.HazardIssueView.as_view(), name="hazard_issue"),
    path("hazards/export.xlsx", hazards.HazardExportView.as_view(), name="hazard_export"),
    path("hazards/<int:hazard_id>/", hazards.HazardDetailView.as_view(), name="hazard"),
    path(
        "hazards/<int:hazard_id>/interim/",
        hazards.HazardInterimView.as_view(),
        name="hazard_interim",
    ),
    path("hazards/<int:hazard_id>/void/", hazards.HazardVoidView.as_view(), name="hazard_void"),
    path("rectifications/", hazards.RectificationListView.as_view(), name="rectification_list"),
    path(
        "rectifications/<int:rectification_id>/",
        hazards.RectificationDetailView.as_view(),
        name="rectification",
    ),
    path(
        "rectifications/<int:rectification_id>/submit/",
        hazards.RectificationSubmitView.as_view(),
        name="rectification_submit",
    ),
    path(
        "rectifications/<int:rectification_id>/verify/",
        hazards.RectificationVerifyView.as_view(),
        name="rectification_verify",
    ),
    path(
        "rectifications/<int:rectification_id>/cancel/",
        hazards.RectificationCancelView.as_view(),
        name="rectification_cancel",
    ),
    path(
        "rectifications/<int:rectification_id>/notice.pdf",
        hazards.RectificationPdfView.as_view(),
        name="rectification_pdf",
    ),
]

#: Routes: evaluation, accountability and the inspection ledger export.
evaluation_patterns: list[URLPattern] = [
    path("evaluation/", evaluation.EvaluationView.as_view(), name="evaluation"),
    path(
        "evaluation/export.xlsx",
        evaluation.EvaluationExportView.as_view(),
        name="evaluation_export",
    ),
    path(
        "evaluation/<int:school_id>/",
        evaluation.EvaluationSchoolView.as_view(),
        name="evaluation_school",
    ),
    path("export.xlsx", evaluation.InspectionExportView.as_view(), name="inspection_export"),
    path(
        "accountability/", evaluation.AccountabilityListView.as_view(), name="accountability_list"
    ),
    path(
        "accountability/new/",
        evaluation.AccountabilityCreateView.as_view(),
        name="accountability_create",
    ),
]

urlpatterns = [*inspection_patterns, *template_patterns, *hazard_patterns, *evaluation_patterns]
