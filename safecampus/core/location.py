"""A place on the map: a WGS-84 point as two nullable decimal columns.

Schools (organizations), leads and devices (security) each carry one, declared here once.
Six decimal places are ~0.1 m, finer than any phone's fix; nine digits hold ±180.000000.
A point is both coordinates or neither: the forms and import readers refuse half a point.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

LATITUDE_LIMIT = 90
LONGITUDE_LIMIT = 180


if TYPE_CHECKING:
    from django.db.models.expressions import Combinable
    from django.utils.functional import _StrOrPromise as StrOrPromise

    #: A nullable decimal column, as the model's instances read and write it.
    Coordinate = models.DecimalField[str | float | Decimal | Combinable | None, Decimal | None]


def location_fields() -> tuple[Coordinate, Coordinate]:
    """The ``latitude, longitude`` pair for a model: ``latitude, longitude = location_fields()``.

    Plain ``DecimalField`` columns, so the migrations see exactly what they saw when each model
    declared its own pair (no schema change, no state-only migration)."""
    latitude = _coordinate(_("latitude (WGS-84)"), LATITUDE_LIMIT)
    longitude = _coordinate(_("longitude (WGS-84)"), LONGITUDE_LIMIT)
    return latitude, longitude


def _coordinate(verbose_name: StrOrPromise, limit: int) -> Coordinate:
    return models.DecimalField(
        verbose_name,
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-limit), MaxValueValidator(limit)],
    )
