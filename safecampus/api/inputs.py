"""The API's one validation layer for what callers send: bounded fields and query checks.

Every query parameter of /api/v1 is read through a serializer (``query(request, …)``) or
a django-filter filterset, and every body through a serializer or form, whose fields come
from here: integers within the database's range, years and days the China time zone can
hold, date-times with an offset. What fails is a translated 400 ``{"detail", "errors"}``.
The same serializers are the operations' parameters in the OpenAPI schema, so the schema
states the bounds the endpoint enforces.
"""

from __future__ import annotations

from typing import Any

from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework.request import Request

from safecampus.core.bounds import (
    DB_INT_MAX,
    FIRST_YEAR,
    LAST_YEAR,
    day_validators,
    moment_validators,
)


class _BoundedInteger(serializers.IntegerField):
    bounds: tuple[int, int] = (0, DB_INT_MAX)

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", self.bounds[0])
        kwargs.setdefault("max_value", self.bounds[1])
        super().__init__(**kwargs)


class IdField(_BoundedInteger):
    """The id of a row: 1 up to the largest the database holds."""

    bounds = (1, DB_INT_MAX)


class CountField(_BoundedInteger):
    """A count or a version number: 0 up to the largest the database holds."""


class YearField(_BoundedInteger):
    bounds = (FIRST_YEAR, LAST_YEAR)


class DayField(serializers.DateField):
    """A calendar day (ISO 8601) between the platform's first and last day."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("validators", day_validators())
        super().__init__(**kwargs)


class MomentField(serializers.DateTimeField):
    """An ISO 8601 date-time with its UTC offset, within the platform's days.

    Without an offset a time is ambiguous across the bureau's servers and devices, so it
    is refused rather than guessed.
    """

    default_error_messages = {
        "offset": _("Give the time with its UTC offset, e.g. 2026-03-10T09:30:00+08:00."),
    }

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("validators", moment_validators())
        super().__init__(**kwargs)

    def to_internal_value(self, value: Any) -> Any:
        if isinstance(value, str):
            try:
                parsed = parse_datetime(value.strip())
            except ValueError:
                parsed = None  # a well-formed impossible date: DRF's own message follows
            if parsed is not None and parsed.tzinfo is None:
                self.fail("offset")
        return super().to_internal_value(value)


def query(request: Request, serializer_class: type[serializers.Serializer]) -> dict[str, Any]:
    """The request's query parameters, validated by ``serializer_class`` (400 otherwise).

    Give the same class to ``extend_schema(parameters=[…])`` so the schema shows them.
    """
    serializer = serializer_class(data=request.query_params)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)
