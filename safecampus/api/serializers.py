"""Serializers of the shared endpoints: units, schools, the signed-in user, audit events."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from safecampus.audit.models import AuditEvent
from safecampus.organizations.models import School, Unit


class UnitSerializer(serializers.ModelSerializer):
    # Declared fields live in _declared_fields; the name only shadows Field.parent for mypy.
    parent = serializers.CharField(  # type: ignore[assignment]
        source="parent.code", read_only=True, allow_null=True
    )

    class Meta:
        model = Unit
        fields = [
            "code",
            "name",
            "short_name",
            "kind",
            "agency_kind",
            "parent",
            "address",
            "latitude",
            "longitude",
            "is_active",
        ]


class SchoolSerializer(serializers.ModelSerializer):
    code = serializers.CharField(source="unit.code")
    name = serializers.CharField(source="unit.name")
    address = serializers.CharField(source="unit.address")
    latitude = serializers.DecimalField(source="unit.latitude", max_digits=9, decimal_places=6)
    longitude = serializers.DecimalField(source="unit.longitude", max_digits=9, decimal_places=6)
    police_station = serializers.SerializerMethodField()

    class Meta:
        model = School
        fields = [
            "code",
            "name",
            "school_kind",
            "boarding",
            "students",
            "staff",
            "address",
            "latitude",
            "longitude",
            "police_station",
        ]

    def get_police_station(self, school: School) -> dict[str, Any] | None:
        station = school.police_station
        return {"code": station.code, "name": station.name} if station else None


class MeSerializer(serializers.Serializer):
    username = serializers.CharField()
    full_name = serializers.CharField()
    roles = serializers.ListField(child=serializers.CharField())
    units = serializers.ListField(child=serializers.CharField())


class AuditEventSerializer(serializers.ModelSerializer):
    class Meta:
        model = AuditEvent
        fields = [
            "id",
            "at",
            "actor_id",
            "actor_label",
            "action",
            "object_type",
            "object_id",
            "object_repr",
            "unit_id",
            "changes",
            "result",
            "prev_hash",
            "row_hash",
        ]


#: The columns ``school_row`` reads, for list endpoints that skip model instances.
SCHOOL_VALUES = (
    "unit__code",
    "unit__name",
    "school_kind",
    "boarding",
    "students",
    "staff",
    "unit__address",
    "unit__latitude",
    "unit__longitude",
    "police_station__code",
    "police_station__name",
)


def _decimal(value: Any) -> str | None:
    return None if value is None else f"{value:.6f}"


def school_row(row: dict[str, Any]) -> dict[str, Any]:
    """The ``SchoolSerializer`` shape built from a ``values(*SCHOOL_VALUES)`` row."""
    station = None
    if row["police_station__code"] is not None:
        station = {"code": row["police_station__code"], "name": row["police_station__name"]}
    return {
        "code": row["unit__code"],
        "name": row["unit__name"],
        "school_kind": row["school_kind"],
        "boarding": row["boarding"],
        "students": row["students"],
        "staff": row["staff"],
        "address": row["unit__address"],
        "latitude": _decimal(row["unit__latitude"]),
        "longitude": _decimal(row["unit__longitude"]),
        "police_station": station,
    }
