"""Input of the checklist and plan pages; forms parse, services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from safecampus.core.forms import BootstrapFormMixin
from safecampus.inspections.choices import (
    Frequency,
    HazardCategory,
    HazardLevel,
    ItemType,
    Performer,
    TemplateKind,
    VersionStatus,
)
from safecampus.inspections.models import ChecklistTemplate, InspectionPlan
from safecampus.inspections.services.plans import MAX_TIMES_PER_PERIOD
from safecampus.organizations.choices import Role, SchoolKind, UnitKind
from safecampus.organizations.models import Unit

#: Under every English field: why it may stay empty.
ENGLISH_HELP = _("Optional: shown to English readers; empty, they see the Chinese.")


class TemplateEditForm(BootstrapFormMixin, forms.Form):
    """A checklist family's name and description, in Chinese and (optionally) English."""

    name = forms.CharField(label=_("Name"), max_length=120)
    name_en = forms.CharField(
        label=_("Name in English"), required=False, max_length=120, help_text=ENGLISH_HELP
    )
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    description_en = forms.CharField(
        label=_("Description in English"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=ENGLISH_HELP,
    )

    @staticmethod
    def initial_for(template: ChecklistTemplate) -> dict[str, Any]:
        return {field: getattr(template, field) for field in TemplateEditForm.base_fields}


class TemplateCreateForm(TemplateEditForm):
    code = forms.SlugField(
        label=_("Code"),
        max_length=40,
        help_text=_("Lower-case letters, digits and hyphens, e.g. fire-special-check."),
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=TemplateKind.choices)

    field_order = ["code", "name", "name_en", "kind", "description", "description_en"]


class VersionForm(BootstrapFormMixin, forms.Form):
    pass_percent = forms.IntegerField(label=_("Pass mark (%)"), min_value=0, max_value=100)
    notes = forms.CharField(
        label=_("What changed"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class SectionForm(BootstrapFormMixin, forms.Form):
    title = forms.CharField(label=_("Section title"), max_length=120)
    title_en = forms.CharField(
        label=_("Section title in English"),
        required=False,
        max_length=120,
        help_text=ENGLISH_HELP,
        widget=forms.TextInput(attrs={"placeholder": _("In English (optional)")}),
    )


class MoveForm(forms.Form):
    direction = forms.ChoiceField(choices=[("up", "up"), ("down", "down")])

    @property
    def offset(self) -> int:
        return -1 if self.cleaned_data["direction"] == "up" else 1


class ItemForm(BootstrapFormMixin, forms.Form):
    code = forms.CharField(label=_("Code"), max_length=20)
    text = forms.CharField(label=_("What is checked"), max_length=300)
    text_en = forms.CharField(
        label=_("What is checked, in English"),
        required=False,
        max_length=300,
        help_text=ENGLISH_HELP,
    )
    item_type = forms.ChoiceField(label=_("Answer type"), choices=ItemType.choices)
    weight = forms.DecimalField(
        label=_("Points"), min_value=0, max_digits=6, decimal_places=2, initial=1
    )
    severity = forms.ChoiceField(
        label=_("Hazard level if failed"),
        required=False,
        choices=[("", _("No hazard")), *HazardLevel.choices],
    )
    category = forms.ChoiceField(
        label=_("Hazard category"),
        required=False,
        choices=[("", "—"), *HazardCategory.choices],
    )
    min_value = forms.DecimalField(
        label=_("Lowest acceptable"), required=False, max_digits=10, decimal_places=2
    )
    max_value = forms.DecimalField(
        label=_("Highest acceptable"), required=False, max_digits=10, decimal_places=2
    )
    unit_label = forms.CharField(label=_("Unit"), required=False, max_length=20)
    unit_label_en = forms.CharField(label=_("Unit in English"), required=False, max_length=20)
    required = forms.BooleanField(label=_("Required"), required=False, initial=True)
    photo_on_fail = forms.BooleanField(
        label=_("Photo required when failed"), required=False, initial=True
    )
    veto = forms.BooleanField(label=_("Veto item"), required=False)
    guidance = forms.CharField(
        label=_("Guidance and basis"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    guidance_en = forms.CharField(
        label=_("Guidance and basis in English"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=ENGLISH_HELP,
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        low, high = data.get("min_value"), data.get("max_value")
        if low is not None and high is not None and low > high:
            self.add_error("max_value", _("The lowest acceptable value is above the highest."))
        if data.get("item_type") == ItemType.SCORE and data.get("weight") == 0:
            self.add_error("weight", _("A score item needs points greater than zero."))
        return data


def _inspector_queryset() -> Any:
    return (
        get_user_model()
        .objects.filter(
            memberships__role=Role.INSPECTOR,
            memberships__is_active=True,
            is_active=True,
        )
        .distinct()
        .order_by("full_name", "username")
    )


class InspectorChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return obj.get_full_name() or obj.get_username()


class PlanForm(BootstrapFormMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    template = forms.ModelChoiceField(
        label=_("Checklist"),
        queryset=ChecklistTemplate.objects.filter(
            is_active=True, versions__status=VersionStatus.PUBLISHED
        ).order_by("kind", "code"),
        help_text=_("Only checklists with a published version can be planned."),
    )
    performer = forms.ChoiceField(label=_("Performed by"), choices=Performer.choices)
    inspector = InspectorChoiceField(
        label=_("Inspector"),
        required=False,
        queryset=_inspector_queryset(),
        help_text=_("Required when the supervising inspector performs the inspections."),
    )
    frequency = forms.ChoiceField(label=_("Frequency"), choices=Frequency.choices)
    times_per_period = forms.IntegerField(
        label=_("Times per period"), min_value=1, max_value=MAX_TIMES_PER_PERIOD, initial=1
    )
    starts_on = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    ends_on = forms.DateField(
        label=_("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    school_kinds = forms.MultipleChoiceField(
        label=_("School kinds"),
        required=False,
        choices=SchoolKind.choices,
        widget=forms.SelectMultiple(attrs={"size": 4}),
        help_text=_("Leave empty for every kind."),
    )
    schools = forms.ModelMultipleChoiceField(
        label=_("Schools"),
        required=False,
        queryset=Unit.objects.filter(kind=UnitKind.SCHOOL, is_active=True).order_by("code"),
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_("Leave empty for every active school."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Querysets are evaluated per form, not frozen at import time.
        self.fields["inspector"].queryset = _inspector_queryset()  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("starts_on"), data.get("ends_on")
        if start and end and end < start:
            self.add_error("ends_on", _("The plan cannot end before it starts."))
        return data

    @staticmethod
    def initial_for(plan: InspectionPlan) -> dict[str, Any]:
        return {
            "name": plan.name,
            "template": plan.template_id,
            "performer": plan.performer,
            "inspector": plan.inspector_id,
            "frequency": plan.frequency,
            "times_per_period": plan.times_per_period,
            "starts_on": plan.starts_on,
            "ends_on": plan.ends_on,
            "school_kinds": plan.school_kinds,
            "schools": list(plan.schools.values_list("pk", flat=True)),
        }
