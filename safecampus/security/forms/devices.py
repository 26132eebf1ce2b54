"""Input of the device, event and statistics pages; forms parse, services decide."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.core.cache import cache
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from safecampus.core.forms import BootstrapFormMixin, FastSelect
from safecampus.organizations.cache import REGISTER_CACHE_SECONDS, scoped_key
from safecampus.organizations.models import Unit
from safecampus.security.choices import DEVICE_EVENT_TYPES, DeviceKind, EventType, Protocol
from safecampus.security.selectors.devices import Liveness, manageable_schools, visible_schools
from safecampus.security.selectors.stats import MAX_DAYS

YES_NO = [("", _("Any")), ("yes", _("Yes")), ("no", _("No"))]
EVENT_TYPES = [(v, label) for v, label in EventType.choices if v in DEVICE_EVENT_TYPES]


def _yes_no(value: str) -> bool | None:
    return {"yes": True, "no": False}.get(value)


class SchoolFilterMixin:
    """A school filter over the schools the user may see (a thousand for the bureau: the
    options are built once per scope and language and kept in the cache)."""

    def _setup_school(self, user: Any) -> None:
        self._user = user

        def compute() -> list[tuple[str, str]]:
            rows = visible_schools(user).values_list("code", "name")
            return [(code, f"{code} {name}") for code, name in rows]

        key = scoped_key("security:filter-schools", user.scope)
        choices = list(cache.get_or_set(key, compute, REGISTER_CACHE_SECONDS) or [])
        field = self.fields["school"]  # type: ignore[attr-defined]
        field.choices = [("", _("All schools")), *choices]
        field.widget.options_cache_key = scoped_key(
            "security:filter-school-options", user.scope, get_language() or ""
        )

    def clean_school(self) -> Unit | None:
        code = self.cleaned_data.get("school") or ""  # type: ignore[attr-defined]
        return visible_schools(self._user).filter(code=code).first() if code else None


class DeviceFilterForm(SchoolFilterMixin, BootstrapFormMixin, forms.Form):
    school = forms.ChoiceField(label=_("School"), required=False, widget=FastSelect)
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("All kinds")), *DeviceKind.choices]
    )
    liveness = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[
            ("", _("Any")),
            (Liveness.ONLINE, _("Online")),
            (Liveness.OFFLINE, _("Offline")),
            (Liveness.NEVER, _("Never heard from")),
        ],
    )
    enabled = forms.ChoiceField(label=_("Enabled"), required=False, choices=YES_NO)
    search = forms.CharField(label=_("Code or name"), required=False, max_length=60)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._setup_school(user)

    def clean_enabled(self) -> bool | None:
        return _yes_no(self.cleaned_data.get("enabled") or "")


class DeviceRegisterForm(BootstrapFormMixin, forms.Form):
    school = forms.ModelChoiceField(
        label=_("School"), queryset=Unit.objects.none(), to_field_name="code"
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=DeviceKind.choices)
    name = forms.CharField(label=_("Name"), max_length=120)
    zone = forms.CharField(
        label=_("Zone"),
        max_length=80,
        required=False,
        help_text=_("Where it watches: gate, east wall, dormitory, playground…"),
    )
    protocol = forms.ChoiceField(label=_("Protocol"), choices=Protocol.choices)
    vendor = forms.CharField(label=_("Vendor"), max_length=80, required=False)
    heartbeat_seconds = forms.IntegerField(
        label=_("Expected heartbeat (seconds)"),
        min_value=5,
        max_value=86_400,
        initial=60,
        help_text=_("Silent for three intervals, the device counts as offline."),
    )
    latitude = forms.DecimalField(
        label=_("Latitude (WGS-84)"),
        required=False,
        max_digits=9,
        decimal_places=6,
        min_value=-90,
        max_value=90,
    )
    longitude = forms.DecimalField(
        label=_("Longitude (WGS-84)"),
        required=False,
        max_digits=9,
        decimal_places=6,
        min_value=-180,
        max_value=180,
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        schools = manageable_schools(user)
        self.fields["school"].queryset = schools  # type: ignore[attr-defined]
        own = list(schools[:2])
        if len(own) == 1:
            self.fields["school"].initial = own[0].code

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (data.get("latitude") is None) != (data.get("longitude") is None):
            raise forms.ValidationError(_("Give both longitude and latitude, or neither."))
        return data


class PeriodMixin:
    def _check_period(self, data: dict[str, Any]) -> None:
        start: date | None = data.get("date_from")
        end: date | None = data.get("date_to")
        if start and end and start > end:
            raise forms.ValidationError(_("The start date is after the end date."))
        if start and end and (end - start).days >= MAX_DAYS:
            raise forms.ValidationError(
                _("Choose a period of at most %(days)d days.") % {"days": MAX_DAYS}
            )


def _date_field(label: Any) -> forms.DateField:
    return forms.DateField(
        label=label, required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class EventFilterForm(PeriodMixin, SchoolFilterMixin, BootstrapFormMixin, forms.Form):
    school = forms.ChoiceField(label=_("School"), required=False, widget=FastSelect)
    device = forms.CharField(label=_("Device code"), required=False, max_length=40)
    event_type = forms.ChoiceField(
        label=_("Type"), required=False, choices=[("", _("All types")), *EVENT_TYPES]
    )
    date_from = _date_field(_("From"))
    date_to = _date_field(_("Until"))
    late = forms.ChoiceField(label=_("Arrived late"), required=False, choices=YES_NO)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._setup_school(user)

    def clean_late(self) -> bool | None:
        return _yes_no(self.cleaned_data.get("late") or "")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        self._check_period(data)
        return data


class StatsFilterForm(PeriodMixin, SchoolFilterMixin, BootstrapFormMixin, forms.Form):
    school = forms.ChoiceField(label=_("School"), required=False, widget=FastSelect)
    date_from = _date_field(_("From"))
    date_to = _date_field(_("Until"))

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._setup_school(user)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        self._check_period(data)
        return data
