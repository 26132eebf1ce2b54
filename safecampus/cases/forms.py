"""Input of the holiday calendar page; forms parse, services decide."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from safecampus.core.forms import BootstrapFormMixin

DAY_KIND_CHOICES = [
    ("off", _("Day off (holiday)")),
    ("work", _("Working day (make-up day)")),
]


class HolidayOverrideForm(BootstrapFormMixin, forms.Form):
    day = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    kind = forms.ChoiceField(label=_("This day is"), choices=DAY_KIND_CHOICES)
    name = forms.CharField(label=_("Name"), max_length=60)
    source = forms.CharField(label=_("Source"), max_length=200, required=False)

    @property
    def is_workday(self) -> bool:
        return self.cleaned_data["kind"] == "work"


class HolidayDeleteForm(forms.Form):
    day = forms.DateField()


class YearForm(forms.Form):
    year = forms.IntegerField(min_value=2000, max_value=2100)
