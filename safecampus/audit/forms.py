"""The audit list's filter."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from safecampus.audit.models import AuditResult
from safecampus.core.forms import BootstrapFormMixin


class AuditFilterForm(BootstrapFormMixin, forms.Form):
    action = forms.CharField(label=_("Action"), required=False, max_length=100)
    actor = forms.CharField(label=_("User"), required=False, max_length=150)
    result = forms.ChoiceField(
        label=_("Result"), required=False, choices=[("", _("All")), *AuditResult.choices]
    )
    since = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self) -> dict:
        data = super().clean() or {}
        if data.get("since") and data.get("until") and data["since"] > data["until"]:
            raise forms.ValidationError(_("The start date is after the end date."))
        return data
