"""Routes: checklists and inspection plans (see urls.py)."""

from django.urls import URLPattern, path

from safecampus.inspections import views_plans
from safecampus.inspections import views_templates as views

urlpatterns: list[URLPattern] = [
    path("checklists/", views.TemplateListView.as_view(), name="template_list"),
    path("checklists/new/", views.TemplateCreateView.as_view(), name="template_create"),
    path(
        "checklists/<int:template_id>/",
        views.TemplateDetailView.as_view(),
        name="template_detail",
    ),
    path(
        "checklists/<int:template_id>/draft/",
        views.TemplateDraftView.as_view(),
        name="version_draft",
    ),
    path(
        "checklists/<int:template_id>/active/",
        views.TemplateActiveView.as_view(),
        name="template_active",
    ),
    path(
        "checklists/versions/<int:version_id>/",
        views.VersionDetailView.as_view(),
        name="version_detail",
    ),
    path(
        "checklists/versions/<int:version_id>/settings/",
        views.VersionUpdateView.as_view(),
        name="version_update",
    ),
    path(
        "checklists/versions/<int:version_id>/publish/",
        views.VersionPublishView.as_view(),
        name="version_publish",
    ),
    path(
        "checklists/versions/<int:version_id>/discard/",
        views.VersionDiscardView.as_view(),
        name="version_discard",
    ),
    path(
        "checklists/versions/<int:version_id>/sections/",
        views.SectionAddView.as_view(),
        name="section_add",
    ),
    path(
        "checklists/sections/<int:section_id>/",
        views.SectionEditView.as_view(),
        name="section_edit",
    ),
    path(
        "checklists/sections/<int:section_id>/delete/",
        views.SectionDeleteView.as_view(),
        name="section_delete",
    ),
    path(
        "checklists/sections/<int:section_id>/move/",
        views.SectionMoveView.as_view(),
        name="section_move",
    ),
    path(
        "checklists/sections/<int:section_id>/items/new/",
        views.ItemAddView.as_view(),
        name="item_add",
    ),
    path("checklists/items/<int:item_id>/", views.ItemEditView.as_view(), name="item_edit"),
    path(
        "checklists/items/<int:item_id>/delete/",
        views.ItemDeleteView.as_view(),
        name="item_delete",
    ),
    path("checklists/items/<int:item_id>/move/", views.ItemMoveView.as_view(), name="item_move"),
    path("plans/", views_plans.PlanListView.as_view(), name="plan_list"),
    path("plans/new/", views_plans.PlanCreateView.as_view(), name="plan_create"),
    path("plans/<int:plan_id>/edit/", views_plans.PlanEditView.as_view(), name="plan_edit"),
    path(
        "plans/<int:plan_id>/generate/",
        views_plans.PlanGenerateView.as_view(),
        name="plan_generate",
    ),
    path("plans/<int:plan_id>/active/", views_plans.PlanActiveView.as_view(), name="plan_active"),
]
