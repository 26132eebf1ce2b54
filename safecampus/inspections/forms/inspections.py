"""Input of the inspection pages: the list's filters, a new ad hoc inspection, one answer,
a photo, submitting and cancelling. Forms parse; the services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.cache import cache
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from safecampus.core.forms import BootstrapFormMixin, FastSelect
from safecampus.core.i18n import localized
from safecampus.core.localtime import local_day
from safecampus.inspections.choices import (
    AnswerResult,
    InspectionStatus,
    Performer,
    TemplateKind,
    VersionStatus,
)
from safecampus.inspections.models import TemplateVersion
from safecampus.inspections.services.inspections import BUREAU_PERFORMERS, SCHOOL_PERFORMERS
from safecampus.organizations.cache import REGISTER_CACHE_SECONDS, scoped_key
from safecampus.organizations.models import Unit

NOTE_MAX = 2000


def school_choices(user: Any) -> list[tuple[str, str]]:
    """The schools ``user`` sees, as (code, label), cached per scope (a district has ~1,000)."""

    def compute() -> list[tuple[str, str]]:
        rows = Unit.objects.visible_to(user).schools().filter(is_active=True).order_by("code")
        return [(code, f"{code} {name}") for code, name in rows.values_list("code", "name")]

    key = scoped_key("inspections:schools", user.scope)
    return list(cache.get_or_set(key, compute, REGISTER_CACHE_SECONDS) or [])


def _year_choices() -> list[tuple[str, Any]]:
    this_year = local_day(timezone.now()).year
    return [("", _("All years")), *((str(y), str(y)) for y in range(this_year, this_year - 4, -1))]


class InspectionFilterForm(BootstrapFormMixin, forms.Form):
    TABS = ["due", "overdue", "draft", "submitted", "cancelled"]

    tab = forms.ChoiceField(
        label=_("Show"),
        required=False,
        choices=[
            ("", _("All")),
            ("due", _("Due")),
            ("overdue", _("Overdue")),
            ("draft", _("In progress")),
            ("submitted", _("Submitted")),
            ("cancelled", _("Cancelled")),
        ],
    )
    school = forms.ChoiceField(label=_("School"), required=False, widget=FastSelect)
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("All kinds")), *TemplateKind.choices]
    )
    year = forms.TypedChoiceField(label=_("Year"), required=False, coerce=int, empty_value=None)
    mine = forms.BooleanField(label=_("Mine only"), required=False)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._user = user
        self.fields["school"].choices = [("", _("All schools")), *school_choices(user)]  # type: ignore[attr-defined]
        widget = self.fields["school"].widget
        widget.options_cache_key = scoped_key(  # type: ignore[attr-defined]
            "inspections:filter-school-options", user.scope, get_language() or ""
        )
        self.fields["year"].choices = _year_choices()  # type: ignore[attr-defined]

    def clean_school(self) -> Unit | None:
        code = self.cleaned_data.get("school") or ""
        if not code:
            return None
        return Unit.objects.visible_to(self._user).schools().filter(code=code).first()

    def selector_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data if self.is_valid() else {}
        tab = data.get("tab") or ""
        kwargs: dict[str, Any] = {
            "school": data.get("school"),
            "kind": data.get("kind") or None,
            "year": data.get("year"),
            "mine": data.get("mine") or None,
        }
        if tab == "overdue":
            kwargs["overdue"] = True
        elif tab == "due":
            kwargs.update(status=InspectionStatus.DUE, overdue=False)
        elif tab:
            kwargs["status"] = tab
        return kwargs


class InspectionNewForm(BootstrapFormMixin, forms.Form):
    """A new ad hoc inspection: the bureau chooses the school, a school inspects itself."""

    school = forms.ChoiceField(label=_("School"), widget=FastSelect)
    version = forms.ModelChoiceField(
        label=_("Checklist"), queryset=TemplateVersion.objects.none(), empty_label=None
    )
    performer = forms.ChoiceField(label=_("Performed by"), choices=Performer.choices)
    due_on = forms.DateField(
        label=_("Due on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Leave empty for today."),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._user = user
        scope = user.scope
        self.bureau = scope.has_role(*BUREAU_PERFORMERS)
        if self.bureau:
            schools = school_choices(user)
            performers = [(Performer.INSPECTOR.value, Performer.INSPECTOR.label)]
        else:
            own = [
                unit_id
                for unit_id in scope.school_unit_ids
                if scope.has_role(*SCHOOL_PERFORMERS, unit_id=unit_id)
            ]
            rows = Unit.objects.filter(pk__in=own, is_active=True).order_by("code")
            schools = [(c, f"{c} {n}") for c, n in rows.values_list("code", "name")]
            performers = [
                (Performer.SCHOOL.value, Performer.SCHOOL.label),
                (Performer.GUARD.value, Performer.GUARD.label),
            ]
        self.fields["school"].choices = schools  # type: ignore[attr-defined]
        self.fields["performer"].choices = performers  # type: ignore[attr-defined]
        self.fields["version"].queryset = (  # type: ignore[attr-defined]
            TemplateVersion.objects.filter(status=VersionStatus.PUBLISHED, template__is_active=True)
            .select_related("template")
            .order_by("template__kind", "template__code")
        )
        self.fields["version"].label_from_instance = (  # type: ignore[attr-defined]
            lambda v: f"{localized(v.template)} (v{v.number})"
        )

    def clean_school(self) -> Unit:
        code = self.cleaned_data.get("school") or ""
        school = Unit.objects.visible_to(self._user).schools().filter(code=code).first()
        if school is None:
            raise forms.ValidationError(_("Choose a school."))
        return school


def _decimal_text(value: str) -> str:
    return value.strip().replace(",", ".").replace("，", ".")


class AnswerForm(forms.Form):
    """One item's answer, as the run page (or its script) posts it. Fields left out of the
    post are left as they were; an empty field clears."""

    item = forms.CharField(max_length=20)
    result = forms.ChoiceField(required=False, choices=[("", "—"), *AnswerResult.choices])
    number = forms.CharField(required=False, max_length=30)
    score = forms.CharField(required=False, max_length=30)
    text = forms.CharField(required=False, max_length=NOTE_MAX)
    note = forms.CharField(required=False, max_length=NOTE_MAX)
    client_updated_at = forms.CharField(required=False, max_length=40)

    def values(self) -> dict[str, Any]:
        """Only the fields the client sent: a missing one leaves the saved value alone."""
        out: dict[str, Any] = {}
        for name in ("result", "number", "score", "text", "note"):
            if name in self.data:
                value = self.cleaned_data.get(name) or ""
                out[name] = _decimal_text(value) if name in ("number", "score") else value
        out["client_updated_at"] = self.cleaned_data.get("client_updated_at") or None
        return out


class PhotoForm(forms.Form):
    item = forms.CharField(max_length=20)
    photo = forms.FileField()


class SubmitForm(BootstrapFormMixin, forms.Form):
    summary = forms.CharField(
        label=_("Overall remarks"),
        required=False,
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)


class CancelForm(BootstrapFormMixin, forms.Form):
    reason = forms.CharField(
        label=_("Reason for cancelling"),
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
