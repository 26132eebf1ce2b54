"""Forms of the evaluation pages, the inspection ledger export and accountability decisions."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from safecampus.core.bounds import DB_INT_MAX, day_validators
from safecampus.core.forms import BootstrapFormMixin, FastSelect
from safecampus.inspections.choices import AccountabilityMeasure, InspectionStatus, TemplateKind
from safecampus.inspections.evaluation import current_year
from safecampus.inspections.models import Hazard
from safecampus.organizations.choices import UnitKind
from safecampus.organizations.models import Unit

FIRST_YEAR = 2000
SORTS = ("rank", "name", "checklist", "timeliness", "self_inspection", "penalty", "total")


class YearForm(BootstrapFormMixin, forms.Form):
    """``?year=`` (the current year when absent) and the ranking's sort key."""

    year = forms.IntegerField(label=_("Year"), required=False)
    sort = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        choices=[(s, s) for s in SORTS + tuple(f"-{s}" for s in SORTS)],
    )

    def clean_year(self) -> int:
        year = self.cleaned_data.get("year") or current_year()
        if not FIRST_YEAR <= year <= current_year() + 1:
            raise forms.ValidationError(
                _("Choose a year between %(first)s and %(last)s."),
                params={"first": FIRST_YEAR, "last": current_year() + 1},
            )
        return year


class InspectionExportForm(BootstrapFormMixin, forms.Form):
    """Filters of the inspection ledger export: year, school (code), kind, status."""

    year = forms.IntegerField(label=_("Year"), required=False, min_value=FIRST_YEAR)
    school = forms.CharField(label=_("School"), required=False, max_length=20)
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("All kinds")), *TemplateKind.choices]
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All statuses")), *InspectionStatus.choices],
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._user = user

    def clean_school(self) -> Unit | None:
        code = (self.cleaned_data.get("school") or "").strip()
        if not code:
            return None
        school = Unit.objects.visible_to(self._user).schools().filter(code=code).first()
        if school is None:
            raise forms.ValidationError(_("No such school."))
        return school


class AccountabilityForm(BootstrapFormMixin, forms.Form):
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=Unit.objects.none(), widget=FastSelect)
    person_name = forms.CharField(label=_("Person held accountable"), max_length=60)
    person_position = forms.CharField(label=_("Position"), max_length=100, required=False)
    hazard = forms.IntegerField(
        label=_("Hazard number"),
        required=False,
        min_value=1,
        max_value=DB_INT_MAX,
        help_text=_("The number of the hazard in the register, if the decision concerns one."),
    )
    case_reference = forms.CharField(
        label=_("Case reference"),
        max_length=40,
        required=False,
        help_text=_("For example ZG-2026-000012 or XS-2026-000034."),
    )
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))
    measure = forms.ChoiceField(label=_("Measure"), choices=AccountabilityMeasure.choices)
    measure_detail = forms.CharField(
        label=_("Details of the measure"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    decided_on = forms.DateField(
        label=_("Decided on"),
        widget=forms.DateInput(attrs={"type": "date"}),
        validators=day_validators(),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._user = user
        self.fields["unit"].queryset = Unit.objects.filter(  # type: ignore[attr-defined]
            is_active=True, kind__in=[UnitKind.SCHOOL, UnitKind.BUREAU, UnitKind.SECTION]
        ).order_by("kind", "code")

    def clean_hazard(self) -> Hazard | None:
        number = self.cleaned_data.get("hazard")
        if not number:
            return None
        hazard = Hazard.objects.visible_to(self._user).filter(pk=number).first()
        if hazard is None:
            raise forms.ValidationError(_("No such hazard."))
        return hazard
