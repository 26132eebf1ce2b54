"""Forms of the warning notice pages: they parse input only; the services decide."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from safecampus.core.forms import BootstrapFormMixin
from safecampus.risk.choices import WarningLevel
from safecampus.risk.models import SeasonalRisk

_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")

STATE_CHOICES = [
    ("", _("All")),
    ("awaiting", _("Awaiting acknowledgement")),
    ("acknowledged", _("Acknowledged")),
    ("reported", _("Measures reported")),
    ("closed", _("Closed")),
    ("overdue_ack", _("Acknowledgement overdue")),
    ("overdue_feedback", _("Feedback overdue")),
]


class MonthField(forms.CharField):
    """A ``<input type="month">`` value (YYYY-MM) as the month's first day."""

    widget = forms.TextInput(attrs={"type": "month", "placeholder": "2026-04"})

    def to_python(self, value: Any) -> date | None:  # type: ignore[override]
        text = str(value or "").strip()
        if not text:
            return None
        match = _MONTH.match(text)
        if match is None or not 1 <= int(match.group(2)) <= 12:
            raise forms.ValidationError(_("Enter a month as YYYY-MM."), code="invalid")
        return date(int(match.group(1)), int(match.group(2)), 1)


class NoticeCreateForm(BootstrapFormMixin, forms.Form):
    month = MonthField(label=_("Month"))
    feedback_due = forms.DateField(
        label=_("Feedback due"),
        required=False,
        widget=_DATE,
        help_text=_("Empty: the default number of working days from today."),
    )


class NoticeEditForm(BootstrapFormMixin, forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    document_number = forms.CharField(
        label=_("Document number"),
        max_length=60,
        required=False,
        # The example is the official Chinese form (the zh catalogue shows it); an English
        # page shows no Chinese outside user data (issue #14).
        help_text=_("Empty: numbered from the year and month in the bureau's official form."),
    )
    summary = forms.CharField(
        label=_("District-wide warning"), required=False, widget=forms.Textarea(attrs={"rows": 8})
    )
    feedback_due = forms.DateField(label=_("Feedback due"), widget=_DATE)
    seasonal_risks = forms.ModelMultipleChoiceField(
        label=_("Seasonal risks"),
        required=False,
        queryset=SeasonalRisk.objects.filter(is_active=True).order_by("category", "id"),
        widget=forms.CheckboxSelectMultiple,
    )


class WarningFilterForm(BootstrapFormMixin, forms.Form):
    state = forms.ChoiceField(label=_("State"), required=False, choices=STATE_CHOICES)
    level = forms.ChoiceField(
        label=_("Level"), required=False, choices=[("", _("All levels")), *WarningLevel.choices]
    )


class WarningActionForm(forms.Form):
    ACTIONS = ("acknowledge", "report", "close", "reopen", "edit")

    action = forms.ChoiceField(choices=[(a, a) for a in ACTIONS])
    feedback = forms.CharField(required=False, max_length=5000)
    note = forms.CharField(required=False, max_length=2000)
    reasons = forms.CharField(required=False, max_length=5000)
    measures_required = forms.CharField(required=False, max_length=5000)


class FeedbackForm(BootstrapFormMixin, forms.Form):
    feedback = forms.CharField(
        label=_("Measures taken"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("What the school did about each required measure, with dates and owners."),
    )


class WarningEditForm(BootstrapFormMixin, forms.Form):
    reasons = forms.CharField(
        label=_("Reasons"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    measures_required = forms.CharField(
        label=_("Required measures"), required=False, widget=forms.Textarea(attrs={"rows": 5})
    )
