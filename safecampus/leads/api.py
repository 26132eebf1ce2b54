"""/api/v1/leads/ and /api/v1/lead-categories/: scoped reads; reporter fields never leave."""

from __future__ import annotations

from django.urls import path
from rest_framework import generics, serializers

from safecampus.api.permissions import HasAccess
from safecampus.core.access import Access
from safecampus.leads.models import Lead, LeadCategory
from safecampus.leads.selectors import category_list, lead_list
from safecampus.organizations.choices import BUREAU_ROLES, SCHOOL_ROLES, Role

READERS = Access.for_roles(BUREAU_ROLES | SCHOOL_ROLES | {Role.PARTNER_LIAISON})


class LeadCategorySerializer(serializers.ModelSerializer):
    # Declared fields live in _declared_fields; the name only shadows Field.parent for mypy.
    parent = serializers.CharField(  # type: ignore[assignment]
        source="parent.code", read_only=True, allow_null=True
    )

    class Meta:
        model = LeadCategory
        fields = ["code", "name", "parent", "conclude_days"]


class LeadSerializer(serializers.ModelSerializer):
    """A lead without its reporter: name, contact and anonymity are never serialised."""

    category = serializers.CharField(source="category.code", read_only=True)
    school = serializers.CharField(source="school.code", read_only=True, allow_null=True)
    assignee_unit = serializers.CharField(
        source="assignee_unit.code", read_only=True, allow_null=True
    )

    class Meta:
        model = Lead
        fields = [
            "reference",
            "title",
            "status",
            "category",
            "description",
            "place",
            "school",
            "latitude",
            "longitude",
            "occurred_at",
            "persons_involved",
            "victims",
            "urgency",
            "source",
            "result",
            "is_spam",
            "assignee_unit",
            "created_at",
            "closed_at",
        ]


class LeadListAPIView(generics.ListAPIView):
    """Leads the caller may see: the district for the bureau, assigned ones for a school,
    transferred ones for an agency."""

    access = READERS
    permission_classes = [HasAccess]
    serializer_class = LeadSerializer
    filterset_fields = ["status", "source", "urgency"]

    def get_queryset(self):  # type: ignore[no-untyped-def]
        return lead_list(user=self.request.user)


class LeadDetailAPIView(generics.RetrieveAPIView):
    access = READERS
    permission_classes = [HasAccess]
    serializer_class = LeadSerializer
    lookup_field = "reference"
    lookup_url_kwarg = "reference"

    def get_queryset(self):  # type: ignore[no-untyped-def]
        return lead_list(user=self.request.user)


class LeadCategoryListAPIView(generics.ListAPIView):
    """The categories in use; the six top-level codes are stable."""

    access = READERS
    permission_classes = [HasAccess]
    serializer_class = LeadCategorySerializer
    pagination_class = None

    def get_queryset(self):  # type: ignore[no-untyped-def]
        return category_list()


urlpatterns = [
    path("leads/", LeadListAPIView.as_view(), name="lead_list"),
    path("leads/<str:reference>/", LeadDetailAPIView.as_view(), name="lead_detail"),
    path("lead-categories/", LeadCategoryListAPIView.as_view(), name="lead_category_list"),
]
