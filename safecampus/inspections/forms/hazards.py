"""Input of the hazard register and rectification pages; forms parse, services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.cache import cache
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from safecampus.attachments.forms import MultipleAttachmentField
from safecampus.core.bounds import day_validators
from safecampus.core.forms import BootstrapFormMixin, FastSelect
from safecampus.inspections.choices import (
    HazardCategory,
    HazardLevel,
    HazardSource,
    HazardStatus,
)
from safecampus.inspections.selectors.hazards import OPEN
from safecampus.organizations.cache import REGISTER_CACHE_SECONDS, scoped_key
from safecampus.organizations.choices import BUREAU_ROLES
from safecampus.organizations.models import Unit

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _school_choices(user: Any) -> list[tuple[str, str]]:
    """The schools ``user`` may choose, as (code, label), cached per scope (a district has a
    thousand of them and the register shows them on every page)."""

    def compute() -> list[tuple[str, str]]:
        rows = Unit.objects.visible_to(user).schools().filter(is_active=True).order_by("code")
        return [(code, f"{code} {name}") for code, name in rows.values_list("code", "name")]

    key = scoped_key("inspections:hazard-schools", user.scope)
    return list(cache.get_or_set(key, compute, REGISTER_CACHE_SECONDS) or [])


def _school_field(form: forms.Form, user: Any, empty: str, kind: str) -> None:
    field = form.fields["school"]
    read: list[tuple[str, str]] = []

    def choices() -> list[tuple[str, str]]:
        # Read once per form: the widget asks for the first choice (``required``), the field
        # for all of them to validate a chosen school, the options for all on a cache miss;
        # each read was a query of a thousand schools when the cache is cold.
        if not read:
            read.extend([("", empty), *_school_choices(user)])
        return read

    # A callable stays lazy: the thousand choices are only read to validate a chosen school
    # or to build the cached options, not normalised on every page (~10 ms).
    field.choices = choices  # type: ignore[attr-defined]
    # The widget writes its options from the list itself, and reads its own choices only to
    # see whether the first is empty (the ``required`` attribute): the field's iterator
    # normalises all thousand pairs on each read (~3 ms a page on a cache miss).
    field.widget.lazy_choices = choices  # type: ignore[attr-defined]
    field.widget.choices = [("", empty)]  # type: ignore[attr-defined]
    field.widget.options_cache_key = scoped_key(  # type: ignore[attr-defined]
        f"inspections:hazard-school-options:{kind}", user.scope, get_language() or ""
    )


def _school(user: Any, code: str) -> Unit | None:
    if not code:
        return None
    return Unit.objects.visible_to(user).schools().filter(code=code, is_active=True).first()


class HazardFilterForm(BootstrapFormMixin, forms.Form):
    school = forms.ChoiceField(label=_("School"), required=False, widget=FastSelect)
    category = forms.ChoiceField(
        label=_("Category"),
        required=False,
        choices=[("", _("All categories")), *HazardCategory.choices],
        widget=FastSelect,
    )
    level = forms.ChoiceField(
        label=_("Level"),
        required=False,
        choices=[("", _("All levels")), *HazardLevel.choices],
        widget=FastSelect,
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All statuses")), (OPEN, _("All open")), *HazardStatus.choices],
        widget=FastSelect,
    )
    source = forms.ChoiceField(
        label=_("Source"),
        required=False,
        choices=[("", _("All sources")), *HazardSource.choices],
        widget=FastSelect,  # the register's filters: no template per option (~10 ms a page)
    )
    found_from = forms.DateField(
        label=_("Found from"), required=False, widget=DATE, validators=day_validators()
    )
    found_to = forms.DateField(
        label=_("Found until"), required=False, widget=DATE, validators=day_validators()
    )
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    overdue = forms.BooleanField(label=_("Overdue"), required=False)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._user = user
        _school_field(self, user, str(_("All schools")), "filter")

    def clean_school(self) -> Unit | None:
        return _school(self._user, self.cleaned_data.get("school") or "")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("found_from"), data.get("found_to")
        if start and end and start > end:
            self.add_error("found_to", _("The end of the period is before its start."))
        return data

    def filters(self) -> dict[str, Any]:
        """The filters to apply (an invalid form filters nothing)."""
        if not self.is_valid():
            return {}
        return {k: v for k, v in self.cleaned_data.items() if v not in ("", None, False)}


class HazardReportForm(BootstrapFormMixin, forms.Form):
    school = forms.ChoiceField(label=_("School"), widget=FastSelect)
    category = forms.ChoiceField(label=_("Category"), choices=HazardCategory.choices)
    level = forms.ChoiceField(
        label=_("Level"), choices=HazardLevel.choices, initial=HazardLevel.GENERAL
    )
    place = forms.CharField(label=_("Place"), max_length=200, required=False)
    description = forms.CharField(
        label=_("Description"), max_length=5000, widget=forms.Textarea(attrs={"rows": 4})
    )
    photos = MultipleAttachmentField(label=_("Photos"), required=False)
    interim_measure = forms.CharField(
        label=_("Interim control measure"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required for a major hazard before its rectification is submitted."),
    )
    interim_responsible = forms.CharField(
        label=_("Responsible for the measure"), max_length=60, required=False
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._user = user
        schools = _school_choices(user)
        if user.scope.has_role(*BUREAU_ROLES) or len(schools) != 1:
            _school_field(self, user, str(_("Choose a school")), "report")
        else:
            # A school's people report in their own school: the choice is fixed.
            self.fields["school"].choices = schools  # type: ignore[attr-defined]
            self.fields["school"].initial = schools[0][0]
            self.fields["school"].widget.attrs["readonly"] = "readonly"

    def clean_school(self) -> Unit:
        school = _school(self._user, self.cleaned_data.get("school") or "")
        if school is None:
            raise forms.ValidationError(_("Choose a school."))
        return school


class InterimForm(BootstrapFormMixin, forms.Form):
    measure = forms.CharField(
        label=_("Interim control measure"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    responsible = forms.CharField(label=_("Responsible for the measure"), max_length=60)


class ReasonForm(BootstrapFormMixin, forms.Form):
    reason = forms.CharField(
        label=_("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class IssueForm(BootstrapFormMixin, forms.Form):
    hazards = forms.TypedMultipleChoiceField(label=_("Hazards"), coerce=int, choices=())
    requirements = forms.CharField(
        label=_("Requirements"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    due_on = forms.DateField(
        label=_("Deadline"),
        required=False,
        widget=DATE,
        help_text=_("Leave empty for the limit of the gravest level (working days)."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        posted = self.data.getlist("hazards") if hasattr(self.data, "getlist") else []
        self.fields["hazards"].choices = [  # type: ignore[attr-defined]
            (value, value) for value in posted if str(value).isdigit()
        ]


class VerifyForm(BootstrapFormMixin, forms.Form):
    ACTIONS = (
        ("accept", pgettext_lazy("rectification", "Accept")),
        ("return", _("Reject and return")),
    )
    action = forms.ChoiceField(choices=ACTIONS, widget=forms.HiddenInput)
    note = forms.CharField(
        label=_("Verification note"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)


class SubmitForm(forms.Form):
    """Measures and evidence per hazard (fields ``measures_<id>`` and ``evidence_<id>``),
    built for the notice's hazards."""

    overall = forms.CharField(
        label=_("Overall report"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
    )
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, hazards: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.hazards = hazards
        for hazard in hazards:
            self.fields[f"measures_{hazard.pk}"] = forms.CharField(
                label=_("Measures taken"),
                required=False,
                max_length=5000,
                initial=hazard.measures,
                widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
            )
            self.fields[f"evidence_{hazard.pk}"] = MultipleAttachmentField(
                label=_("Evidence (photos or documents)"), required=False
            )
            self.fields[f"evidence_{hazard.pk}"].widget.attrs["class"] = "form-control"

    def rows(self) -> list[tuple[Any, Any, Any]]:
        return [
            (hazard, self[f"measures_{hazard.pk}"], self[f"evidence_{hazard.pk}"])
            for hazard in self.hazards
        ]

    def measures(self) -> dict[int, str]:
        return {h.pk: self.cleaned_data.get(f"measures_{h.pk}") or "" for h in self.hazards}

    def evidence(self) -> dict[int, list[Any]]:
        return {h.pk: list(self.cleaned_data.get(f"evidence_{h.pk}") or []) for h in self.hazards}
