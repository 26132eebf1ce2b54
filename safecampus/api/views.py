"""/api/v1: the same selectors and services as the pages, shape validation only."""

from __future__ import annotations

from typing import cast

from django.core.cache import cache
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework import generics
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from safecampus.accounts.models import User
from safecampus.api.permissions import HasAccess
from safecampus.api.serializers import (
    SCHOOL_VALUES,
    AuditEventSerializer,
    MeSerializer,
    SchoolSerializer,
    UnitSerializer,
    school_row,
)
from safecampus.audit.models import AuditEvent
from safecampus.core.access import Access
from safecampus.organizations.cache import REGISTER_CACHE_SECONDS, scoped_key
from safecampus.organizations.choices import BUREAU_ROLES, SCHOOL_ROLES, Role
from safecampus.organizations.models import School, Unit
from safecampus.organizations.selectors import school_list


class SchoolFilter(filters.FilterSet):
    q = filters.CharFilter(method="search", label="Name or code contains")

    class Meta:
        model = School
        fields = ["school_kind", "boarding"]

    def search(self, queryset, name, value):  # type: ignore[no-untyped-def]
        return queryset.filter(unit__name__icontains=value) | queryset.filter(
            unit__code__icontains=value
        )


class SchoolListAPIView(generics.ListAPIView):
    """Schools the caller may see: the district for bureau roles, their own for school roles."""

    access = Access.for_roles(BUREAU_ROLES | SCHOOL_ROLES)
    permission_classes = [HasAccess]
    serializer_class = SchoolSerializer
    filterset_class = SchoolFilter

    def get_queryset(self):  # type: ignore[no-untyped-def]
        return school_list(user=self.request.user)

    def list(self, request: Request, *args: object, **kwargs: object) -> Response:
        """Rows as plain values (model instances cost ~4× more), cached per scope and query.

        The shape is the serializer's (the schema comes from it, and a test compares
        both renderings of the same school). The cache key carries the register's
        version and the caller's scope: an edit drops it, and no scope sees another's.
        """
        user = cast(User, request.user)
        key = scoped_key("api:schools", user.scope, request.get_host(), request.GET.urlencode())
        payload = cache.get(key)
        if payload is None:
            rows = self.filter_queryset(self.get_queryset()).values(*SCHOOL_VALUES)
            page = self.paginate_queryset(rows) or []
            payload = self.get_paginated_response([school_row(row) for row in page]).data
            cache.set(key, payload, REGISTER_CACHE_SECONDS)
        return Response(payload)


class SchoolDetailAPIView(generics.RetrieveAPIView):
    access = Access.for_roles(BUREAU_ROLES | SCHOOL_ROLES)
    permission_classes = [HasAccess]
    serializer_class = SchoolSerializer
    lookup_field = "unit__code"
    lookup_url_kwarg = "code"

    def get_queryset(self):  # type: ignore[no-untyped-def]
        return school_list(user=self.request.user)


class UnitListAPIView(generics.ListAPIView):
    access = Access.for_roles(
        BUREAU_ROLES | SCHOOL_ROLES | {Role.PARTNER_LIAISON, Role.SYSTEM_ADMIN}
    )
    permission_classes = [HasAccess]
    serializer_class = UnitSerializer
    filterset_fields = ["kind", "agency_kind"]

    def get_queryset(self):  # type: ignore[no-untyped-def]
        return Unit.objects.visible_to(self.request.user).select_related("parent").order_by("code")


class MeAPIView(APIView):
    access = Access.authenticated()
    permission_classes = [HasAccess]

    @extend_schema(responses=MeSerializer)
    def get(self, request: Request) -> Response:
        user = cast(User, request.user)  # HasAccess let only signed-in users in
        codes = Unit.objects.filter(pk__in=user.scope.unit_ids).values_list("code", flat=True)
        data = {
            "username": user.username,
            "full_name": user.full_name,
            "roles": sorted(user.roles),
            "units": sorted(codes),
        }
        return Response(MeSerializer(data).data)


class AuditEventListAPIView(generics.ListAPIView):
    """The audit trail, for auditors only."""

    access = Access.for_roles({Role.AUDITOR})
    permission_classes = [HasAccess]
    serializer_class = AuditEventSerializer
    filterset_fields = ["action", "result", "object_type", "actor_id"]

    def get_queryset(self):  # type: ignore[no-untyped-def]
        return AuditEvent.objects.visible_to(self.request.user).order_by("-id")
