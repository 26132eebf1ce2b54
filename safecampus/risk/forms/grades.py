"""Forms of the grade pages: the table's filters, computing a month, adjusting a grade."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from safecampus.core.bounds import LAST_YEAR
from safecampus.core.forms import BootstrapFormMixin
from safecampus.organizations.choices import SchoolKind
from safecampus.risk.choices import WarningLevel
from safecampus.risk.services.grades import REASON_MAX

MONTH_INPUT = forms.TextInput(attrs={"type": "month", "placeholder": "YYYY-MM"})
ORDER_CHOICES = [
    ("-score", _("Highest score first")),
    ("score", _("Lowest score first")),
    ("change", _("Most worsened first")),
    ("-change", _("Most improved first")),
    ("name", _("School code")),
]


def parse_month(value: str) -> date | None:
    """``YYYY-MM`` → the month's first day; None when it is not one."""
    try:
        parsed = datetime.strptime((value or "").strip(), "%Y-%m").date()
    except ValueError:
        return None
    # From 2000 (no earlier evidence) to the platform's last year: a month's arithmetic
    # (next month, twelve back) must stay within the years Python holds.
    return parsed if 2000 <= parsed.year <= LAST_YEAR else None


class MonthField(forms.Field):
    default_error_messages = {"invalid": _("Enter a month as YYYY-MM.")}

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MONTH_INPUT)
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> date | None:
        text = str(value or "").strip()
        if not text:
            return None
        month = parse_month(text)
        if month is None:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return month

    def prepare_value(self, value: Any) -> Any:
        return f"{value:%Y-%m}" if isinstance(value, date) else value


class GradeFilterForm(BootstrapFormMixin, forms.Form):
    month = MonthField(label=_("Month"), required=False)
    level = forms.ChoiceField(
        label=_("Level"), required=False, choices=[("", _("All levels")), *WarningLevel.choices]
    )
    school_kind = forms.ChoiceField(
        label=_("School kind"), required=False, choices=[("", _("All kinds")), *SchoolKind.choices]
    )
    order = forms.ChoiceField(label=_("Sort by"), required=False, choices=ORDER_CHOICES)


class ComputeForm(BootstrapFormMixin, forms.Form):
    month = MonthField(label=_("Month"))


class AdjustForm(BootstrapFormMixin, forms.Form):
    level = forms.ChoiceField(label=_("Level"), choices=WarningLevel.choices)
    reason = forms.CharField(
        label=_("Reason"), max_length=REASON_MAX, widget=forms.Textarea(attrs={"rows": 3})
    )
