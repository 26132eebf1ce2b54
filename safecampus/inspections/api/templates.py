"""API routes: checklists and inspection plans, read-only (included by safecampus.api.urls).

Names and texts come as stored: ``name``/``title``/``text`` in Chinese (the record's own),
and their English siblings ``*_en`` (empty when none was entered), whatever the caller's
language — a client picks.

/api/v1/inspection-templates/ — the checklists with the version in use;
/api/v1/inspection-templates/<code>/versions/<number>/ — one version's sections and items;
/api/v1/inspection-plans/ — the bureau's plans.
"""

from __future__ import annotations

from typing import Any

from django.db.models import OuterRef, Prefetch, Subquery
from django.http import Http404
from django.urls import URLPattern, path
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers

from safecampus.api.permissions import HasAccess
from safecampus.inspections.choices import VersionStatus
from safecampus.inspections.models import (
    ChecklistTemplate,
    InspectionPlan,
    TemplateItem,
    TemplateSection,
    TemplateVersion,
)
from safecampus.inspections.permissions import PLAN_READERS, READERS


class ChecklistTemplateSerializer(serializers.ModelSerializer):
    current_version = serializers.SerializerMethodField(
        help_text="Number of the published version new inspections use; null if none."
    )

    class Meta:
        model = ChecklistTemplate
        fields = [
            "code",
            "name",
            "name_en",
            "kind",
            "description",
            "description_en",
            "is_active",
            "current_version",
        ]

    def get_current_version(self, obj: ChecklistTemplate) -> int | None:
        return getattr(obj, "current_number", None)


class TemplateItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = TemplateItem
        fields = [
            "code",
            "text",
            "text_en",
            "guidance",
            "guidance_en",
            "item_type",
            "required",
            "weight",
            "severity",
            "category",
            "photo_on_fail",
            "veto",
            "min_value",
            "max_value",
            "unit_label",
            "unit_label_en",
        ]


class TemplateSectionSerializer(serializers.ModelSerializer):
    items = TemplateItemSerializer(many=True, read_only=True)

    class Meta:
        model = TemplateSection
        fields = ["title", "title_en", "items"]


class TemplateVersionSerializer(serializers.ModelSerializer):
    template = serializers.CharField(source="template.code", read_only=True)
    sections = TemplateSectionSerializer(many=True, read_only=True)

    class Meta:
        model = TemplateVersion
        fields = [
            "template",
            "number",
            "status",
            "pass_percent",
            "notes",
            "published_at",
            "sections",
        ]


class InspectionPlanSerializer(serializers.ModelSerializer):
    template = serializers.CharField(source="template.code", read_only=True)
    inspector = serializers.CharField(
        source="inspector.username", read_only=True, allow_null=True, default=None
    )
    schools: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        many=True, read_only=True, slug_field="code"
    )

    class Meta:
        model = InspectionPlan
        fields = [
            "id",
            "name",
            "template",
            "performer",
            "inspector",
            "frequency",
            "times_per_period",
            "schools",
            "school_kinds",
            "starts_on",
            "ends_on",
            "is_active",
        ]


class ChecklistTemplateListAPIView(generics.ListAPIView):
    """Checklists every bureau and school role may read; schools see those in use."""

    access = READERS
    permission_classes = [HasAccess]
    serializer_class = ChecklistTemplateSerializer

    def get_queryset(self):  # type: ignore[no-untyped-def]
        if getattr(self, "swagger_fake_view", False):  # schema generation: no request user
            return ChecklistTemplate.objects.none()
        user = self.request.user
        templates = ChecklistTemplate.objects.visible_to(user).order_by("kind", "code")
        if not user.scope.district_wide:  # type: ignore[union-attr]
            templates = templates.filter(is_active=True)
        published = TemplateVersion.objects.filter(
            template=OuterRef("pk"), status=VersionStatus.PUBLISHED
        ).values("number")[:1]
        return templates.annotate(current_number=Subquery(published))


class TemplateVersionDetailAPIView(generics.RetrieveAPIView):
    """One version of a checklist with its sections and items (drafts: bureau only)."""

    access = READERS
    permission_classes = [HasAccess]
    serializer_class = TemplateVersionSerializer

    def get_object(self) -> TemplateVersion:
        user = self.request.user
        versions = TemplateVersion.objects.filter(
            template__in=ChecklistTemplate.objects.visible_to(user),
            template__code=self.kwargs["template_code"],
            number=self.kwargs["number"],
        )
        if not user.scope.district_wide:  # type: ignore[union-attr]
            versions = versions.exclude(status=VersionStatus.DRAFT)
        items = TemplateItem.objects.order_by("order", "id")
        sections = TemplateSection.objects.order_by("order", "id").prefetch_related(
            Prefetch("items", items)
        )
        version = (
            versions.select_related("template").prefetch_related(Prefetch("sections", sections))
        ).first()
        if version is None:
            raise Http404
        return version


@extend_schema(summary="Inspection plans (bureau only)")
class InspectionPlanListAPIView(generics.ListAPIView):
    """The bureau's inspection plans."""

    access = PLAN_READERS
    permission_classes = [HasAccess]
    serializer_class = InspectionPlanSerializer
    filterset_fields = ["is_active", "frequency", "performer"]

    def get_queryset(self):  # type: ignore[no-untyped-def]
        return (
            InspectionPlan.objects.visible_to(self.request.user)
            .select_related("template", "inspector")
            .prefetch_related("schools")
            .order_by("name", "pk")
        )


urlpatterns: list[URLPattern] = [
    path(
        "inspection-templates/",
        ChecklistTemplateListAPIView.as_view(),
        name="inspection_template_list",
    ),
    path(
        "inspection-templates/<str:template_code>/versions/<int:number>/",
        TemplateVersionDetailAPIView.as_view(),
        name="inspection_template_version",
    ),
    path("inspection-plans/", InspectionPlanListAPIView.as_view(), name="inspection_plan_list"),
]
