"""/api/v1/leads/ and /api/v1/lead-categories/: scoped reads; reporter fields never leave."""

from __future__ import annotations

from typing import Any

from rest_framework import generics, serializers
from rest_framework.request import Request
from rest_framework.response import Response

from safecampus.api.permissions import HasAccess
from safecampus.leads import persons
from safecampus.leads.models import Lead, LeadCategory
from safecampus.leads.permissions import READERS, may_see_persons
from safecampus.leads.selectors.leads import category_list, lead_list
from safecampus.leads.services.persons import lead_persons_reveal


class LeadCategorySerializer(serializers.ModelSerializer):
    # Declared fields live in _declared_fields; the name only shadows Field.parent for mypy.
    parent = serializers.CharField(  # type: ignore[assignment]
        source="parent.code", read_only=True, allow_null=True
    )

    class Meta:
        model = LeadCategory
        fields = ["code", "name", "name_en", "parent", "conclude_days"]


class LeadSerializer(serializers.ModelSerializer):
    """A lead without its reporter: name, contact and anonymity are never serialised.

    ``persons_involved`` and ``victims`` are written as given and read masked
    (``persons.persons_mask``), except for the leads whose ids the view lists in the
    context's ``names_shown`` after an audited reveal to one of their handlers.
    """

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
        extra_kwargs = {name: {"help_text": persons.NAMES_HELP} for name in persons.PERSON_FIELDS}

    def to_representation(self, instance: Lead) -> dict[str, Any]:
        data = super().to_representation(instance)
        if instance.pk not in self.context.get("names_shown", ()):
            data.update(persons.persons_masked(instance))
        return data


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
    """One lead; its handlers read the persons' names in full, each read audited
    (``leads.lead.persons_viewed``), everyone else the mask."""

    access = READERS
    permission_classes = [HasAccess]
    serializer_class = LeadSerializer
    lookup_field = "reference"
    lookup_url_kwarg = "reference"

    def get_queryset(self):  # type: ignore[no-untyped-def]
        return lead_list(user=self.request.user)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        lead = self.get_object()
        shown: set[int] = set()
        if may_see_persons(request.user, lead):
            lead_persons_reveal(actor=request.user, lead=lead, request=request)
            shown.add(lead.pk)
        context = {**self.get_serializer_context(), "names_shown": shown}
        return Response(LeadSerializer(lead, context=context).data)


class LeadCategoryListAPIView(generics.ListAPIView):
    """The categories in use; the six top-level codes are stable."""

    access = READERS
    permission_classes = [HasAccess]
    serializer_class = LeadCategorySerializer
    pagination_class = None

    def get_queryset(self):  # type: ignore[no-untyped-def]
        return category_list()
