"""Input of the register, level, calendar and profile pages; forms parse, services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.cache import cache
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from safecampus.core.forms import BootstrapFormMixin, FastSelect
from safecampus.organizations.cache import REGISTER_CACHE_SECONDS, scoped_key
from safecampus.organizations.choices import SchoolKind
from safecampus.organizations.models import Unit
from safecampus.risk.choices import RiskCategory, WarningLevel
from safecampus.risk.services.register import BUREAU_REGISTER_ROLES

RATINGS = [(n, str(n)) for n in range(1, 6)]
MONTHS = [(n, _("Month %(n)d") % {"n": n}) for n in range(1, 13)]


def _school_choices(user: Any) -> list[tuple[str, str]]:
    """The schools ``user`` may filter by, as (code, label), cached per scope."""

    def compute() -> list[tuple[str, str]]:
        rows = Unit.objects.visible_to(user).schools().order_by("code")
        return [(code, f"{code} {name}") for code, name in rows.values_list("code", "name")]

    key = scoped_key("risk:register-schools", user.scope)
    return list(cache.get_or_set(key, compute, REGISTER_CACHE_SECONDS) or [])


def _visible_school(user: Any, code: str) -> Unit | None:
    if not code:
        return None
    return Unit.objects.visible_to(user).schools().filter(code=code).first()


class RegisterFilterForm(BootstrapFormMixin, forms.Form):
    school = forms.ChoiceField(label=_("School"), required=False, widget=FastSelect)
    category = forms.ChoiceField(
        label=_("Category"),
        required=False,
        choices=[("", _("All categories")), *RiskCategory.choices],
    )
    level = forms.ChoiceField(
        label=_("Level"), required=False, choices=[("", _("All levels")), *WarningLevel.choices]
    )
    overdue = forms.BooleanField(label=_("Review overdue"), required=False)
    retired = forms.BooleanField(label=_("Retired risks"), required=False)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._user = user
        self.fields["school"].choices = [  # type: ignore[attr-defined]
            ("", _("All schools")),
            *_school_choices(user),
        ]
        self.fields["school"].widget.options_cache_key = scoped_key(  # type: ignore[attr-defined]
            "risk:register-school-options", user.scope, get_language() or ""
        )

    def clean_school(self) -> Unit | None:
        return _visible_school(self._user, self.cleaned_data.get("school") or "")


class RiskItemForm(BootstrapFormMixin, forms.Form):
    """A register item; ``school`` is offered to whoever may keep more than one register."""

    school = forms.ChoiceField(label=_("School"), required=False, widget=FastSelect)
    category = forms.ChoiceField(label=_("Category"), choices=RiskCategory.choices)
    title = forms.CharField(label=_("Risk"), max_length=200)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    likelihood = forms.TypedChoiceField(
        label=_("Likelihood (1–5)"),
        choices=RATINGS,
        coerce=int,
        help_text=_("1 rare · 2 unlikely · 3 possible · 4 likely · 5 almost certain"),
    )
    severity = forms.TypedChoiceField(
        label=_("Severity (1–5)"),
        choices=RATINGS,
        coerce=int,
        help_text=_("1 negligible · 2 minor · 3 moderate · 4 major · 5 catastrophic"),
    )
    owner_name = forms.CharField(label=_("Owner"), max_length=60)
    control_measures = forms.CharField(
        label=_("Control measures"), widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args: Any, user: Any, with_school: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._user = user
        if not with_school:
            del self.fields["school"]
            return
        bureau = user.scope.has_role(*BUREAU_REGISTER_ROLES)
        field = self.fields["school"]
        if bureau:
            field.choices = [  # type: ignore[attr-defined]
                ("", _("District-wide (no school)")),
                *_school_choices(user),
            ]
            field.help_text = _("Leave empty for a risk that concerns the whole district.")
        else:
            field.required = True
            field.choices = _school_choices(user)  # type: ignore[attr-defined]

    def clean_school(self) -> Unit | None:
        code = self.cleaned_data.get("school") or ""
        school = _visible_school(self._user, code)
        if code and school is None:
            raise forms.ValidationError(_("Choose a school."))
        return school


class RiskReviewForm(BootstrapFormMixin, forms.Form):
    likelihood = forms.TypedChoiceField(label=_("Likelihood (1–5)"), choices=RATINGS, coerce=int)
    severity = forms.TypedChoiceField(label=_("Severity (1–5)"), choices=RATINGS, coerce=int)
    note = forms.CharField(
        label=_("What the review found"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class RiskRetireForm(BootstrapFormMixin, forms.Form):
    reason = forms.CharField(
        label=_("Reason"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )


#: A band's fields, in the table's column order.
BAND_FIELDS = ("label", "label_en", "min_score", "color")


class LevelBandsForm(BootstrapFormMixin, forms.Form):
    """The four bands in one form, so thresholds can all move at once."""

    def __init__(self, *args: Any, bands: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.rows = []
        for band in bands:
            prefix = band.level
            self.fields[f"{prefix}-label"] = forms.CharField(
                label=_("Label"), max_length=40, initial=band.label
            )
            self.fields[f"{prefix}-label_en"] = forms.CharField(
                label=_("Label in English"), max_length=40, required=False, initial=band.label_en
            )
            self.fields[f"{prefix}-min_score"] = forms.IntegerField(
                label=_("Lowest score"), min_value=0, max_value=100000, initial=band.min_score
            )
            self.fields[f"{prefix}-color"] = forms.CharField(
                label=_("Colour"),
                max_length=7,
                initial=band.color,
                widget=forms.TextInput(attrs={"type": "color"}),
            )
            self.rows.append((band, [self[f"{prefix}-{n}"] for n in BAND_FIELDS]))
        # Added after BootstrapFormMixin styled the (then empty) form.
        for field in self.fields.values():
            color = field.widget.attrs.get("type") == "color"
            field.widget.attrs["class"] = "form-control" + (" form-control-color" if color else "")

    def changes(self) -> dict[str, dict[str, Any]]:
        data = self.cleaned_data
        return {
            band.level: {n: data[f"{band.level}-{n}"] for n in BAND_FIELDS}
            for band, _fields in self.rows
        }


class SeasonalRiskForm(BootstrapFormMixin, forms.Form):
    title = forms.CharField(label=_("Risk"), max_length=200)
    title_en = forms.CharField(
        label=_("Risk in English"),
        max_length=200,
        required=False,
        help_text=_("Shown to English readers; empty: they see the Chinese."),
    )
    category = forms.ChoiceField(label=_("Category"), choices=RiskCategory.choices)
    months = forms.TypedMultipleChoiceField(
        label=_("Months"), choices=MONTHS, coerce=int, widget=forms.CheckboxSelectMultiple
    )
    measures = forms.CharField(
        label=_("Required measures"), widget=forms.Textarea(attrs={"rows": 5})
    )
    measures_en = forms.CharField(
        label=_("Required measures in English"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    school_kinds = forms.MultipleChoiceField(
        label=_("School kinds"),
        choices=SchoolKind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: every kind of school."),
    )
    boarding_only = forms.BooleanField(label=_("Boarding schools only"), required=False)
    near_water_only = forms.BooleanField(label=_("Schools near water only"), required=False)
    points = forms.IntegerField(
        label=_("Points added to the grade"),
        min_value=0,
        initial=5,
        help_text=_("Added to the grade of each school it applies to in its months."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("months", "school_kinds"):
            self.fields[name].widget.attrs["class"] = "form-check-input"


class RiskProfileForm(BootstrapFormMixin, forms.Form):
    near_water = forms.BooleanField(label=_("Near rivers, ponds or lakes"), required=False)
    near_main_road = forms.BooleanField(label=_("On a main road"), required=False)
    flood_prone = forms.BooleanField(label=_("In a flood-prone area"), required=False)
    notes = forms.CharField(
        label=_("Notes"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
