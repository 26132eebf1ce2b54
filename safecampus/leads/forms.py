"""Input of the lead pages (and of the API where it takes the same fields); forms parse,
services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.cache import cache
from django.db import models
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from safecampus.attachments.forms import MultipleAttachmentField
from safecampus.core.bounds import DB_INT_MAX, day_validators, moment_validators
from safecampus.core.excel import XLSX_MIME
from safecampus.core.forms import BootstrapFormMixin, FastSelect
from safecampus.core.i18n import localized
from safecampus.leads.choices import (
    DualReportChannel,
    DualReportMethod,
    LeadResult,
    LeadSource,
    LeadStatus,
    Urgency,
)
from safecampus.leads.models import LeadCategory
from safecampus.organizations.cache import REGISTER_CACHE_SECONDS, scoped_key
from safecampus.organizations.choices import UnitKind
from safecampus.organizations.models import Unit


def _categories() -> Any:
    return LeadCategory.objects.filter(is_active=True).order_by("ordering", "code")


def _school_choices(user: Any) -> list[tuple[str, str]]:
    """The schools ``user`` may filter by, as (code, label), cached per scope: a district
    has a thousand of them and the ledger shows them on every page."""

    def compute() -> list[tuple[str, str]]:
        rows = Unit.objects.visible_to(user).schools().order_by("code")
        return [(code, f"{code} {name}") for code, name in rows.values_list("code", "name")]

    key = scoped_key("leads:filter-schools", user.scope)
    return list(cache.get_or_set(key, compute, REGISTER_CACHE_SECONDS) or [])


class LeadFilterForm(BootstrapFormMixin, forms.Form):
    # FastSelect for every list: Django draws each option through a template (~0.1 ms each).
    category = forms.ModelChoiceField(
        label=_("Category"),
        required=False,
        queryset=_categories(),
        to_field_name="code",
        empty_label=_("All categories"),
        widget=FastSelect,
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All statuses")), *LeadStatus.choices],
        widget=FastSelect,
    )
    # A code checked against the user's scope in clean_school: the thousand options are only
    # needed to draw the list, and FastSelect draws them from its cache when it can.
    school = forms.CharField(label=_("School"), required=False, max_length=50, widget=FastSelect)
    source = forms.ChoiceField(
        label=pgettext_lazy("lead", "Source"),
        required=False,
        choices=[("", _("All sources")), *LeadSource.choices],
        widget=FastSelect,
    )
    received_from = forms.DateField(
        label=_("Received from"),
        required=False,
        validators=day_validators(),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    received_to = forms.DateField(
        label=_("Received until"),
        required=False,
        validators=day_validators(),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    overdue = forms.BooleanField(label=_("Overdue"), required=False)
    missing_second_report = forms.BooleanField(label=_("Second report missing"), required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("received_from"), data.get("received_to")
        if start and end and start > end:
            self.add_error("received_to", _("The end of the period is before its start."))
        return data

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._user = user
        widget = self.fields["school"].widget
        widget.lazy_choices = lambda: [  # type: ignore[attr-defined]
            ("", _("All schools")),
            *_school_choices(user),
        ]
        widget.options_cache_key = scoped_key(  # type: ignore[attr-defined]
            "leads:filter-school-options", user.scope, get_language() or ""
        )
        self.fields["category"].queryset = _categories()  # type: ignore[attr-defined]

    def clean_school(self) -> Unit | None:
        code = self.cleaned_data.get("school") or ""
        if not code:
            return None
        school = Unit.objects.visible_to(self._user).schools().filter(code=code).first()
        if school is None:  # unknown, or outside the user's scope: as a choice list would
            raise forms.ValidationError(
                forms.ChoiceField.default_error_messages["invalid_choice"],
                code="invalid_choice",
                params={"value": code},
            )
        return school


class LeadReportForm(BootstrapFormMixin, forms.Form):
    category = forms.ModelChoiceField(
        label=_("Category"), queryset=_categories(), to_field_name="code"
    )
    description = forms.CharField(
        label=_("What happened"), max_length=5000, widget=forms.Textarea(attrs={"rows": 5})
    )
    school = forms.ModelChoiceField(
        label=_("School concerned"),
        required=False,
        queryset=Unit.objects.none(),
        to_field_name="code",
    )
    place = forms.CharField(label=_("Place"), max_length=200, required=False)
    occurred_at = forms.DateTimeField(
        label=_("When it happened"),
        required=False,
        validators=moment_validators(),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    latitude = forms.DecimalField(
        label=_("Latitude"), required=False, min_value=-90, max_value=90, decimal_places=6
    )
    longitude = forms.DecimalField(
        label=_("Longitude"), required=False, min_value=-180, max_value=180, decimal_places=6
    )
    persons_involved = forms.CharField(
        label=_("Persons involved"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    victims = forms.CharField(
        label=_("Victims"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    urgency = forms.ChoiceField(label=_("Urgency"), choices=Urgency.choices, initial=Urgency.NORMAL)
    source = forms.ChoiceField(
        label=pgettext_lazy("lead", "Source"),
        choices=[
            (LeadSource.INTERNAL, LeadSource.INTERNAL.label),
            (LeadSource.PHONE_LETTER, LeadSource.PHONE_LETTER.label),
        ],
    )
    reporter_name = forms.CharField(label=_("Reporter's name"), max_length=100, required=False)
    reporter_contact = forms.CharField(
        label=_("Reporter's contact"), max_length=100, required=False
    )
    is_anonymous = forms.BooleanField(
        label=_("The reporter wants to stay anonymous"), required=False
    )
    evidence = MultipleAttachmentField(label=_("Evidence"), required=False)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = _categories()  # type: ignore[attr-defined]
        scope = user.scope
        schools = Unit.objects.filter(kind=UnitKind.SCHOOL, is_active=True).order_by("code")
        if not scope.district_wide:
            schools = schools.filter(pk__in=scope.school_unit_ids)
            self.fields["school"].required = True
            screening = [(LeadSource.SCREENING, LeadSource.SCREENING.label)]
            self.fields["source"].choices = screening  # type: ignore[attr-defined]
            self.fields["source"].initial = LeadSource.SCREENING
            self.fields["source"].disabled = True
            own = schools.first()
            if own is not None:
                self.fields["school"].initial = own.code
        self.fields["school"].queryset = schools  # type: ignore[attr-defined]


class LeadActionForm(forms.Form):
    """One small form per action on the detail page; the action names what is asked."""

    ACTIONS = (
        "accept",
        "reject",
        "assign",
        "transfer",
        "start",
        "conclude",
        "close",
        "reopen",
        "progress",
        "spam",
    )

    action = forms.ChoiceField(choices=[(a, a) for a in ACTIONS])
    note = forms.CharField(required=False, max_length=2000)
    #: The lead's ``lock_version`` the page showed; a move on a changed lead is refused.
    version = forms.IntegerField(required=False, min_value=0, max_value=DB_INT_MAX)
    school = forms.ModelChoiceField(
        required=False,
        queryset=Unit.objects.filter(kind=UnitKind.SCHOOL, is_active=True),
        to_field_name="code",
    )
    units = forms.ModelMultipleChoiceField(
        required=False,
        queryset=Unit.objects.filter(
            kind__in=[UnitKind.AGENCY, UnitKind.POLICE_STATION], is_active=True
        ),
        to_field_name="code",
    )
    feedback_days = forms.IntegerField(required=False, min_value=1, max_value=365)
    result = forms.ChoiceField(required=False, choices=[("", "—"), *LeadResult.choices])


class DualReportForm(BootstrapFormMixin, forms.Form):
    channel = forms.ChoiceField(
        label=_("Reported to"),
        choices=[
            (DualReportChannel.LOCAL_GOVERNMENT, DualReportChannel.LOCAL_GOVERNMENT.label),
            (DualReportChannel.DEPARTMENT, DualReportChannel.DEPARTMENT.label),
        ],
    )
    reported_to = forms.CharField(label=_("Office or person"), max_length=200)
    reported_at = forms.DateTimeField(
        label=_("Reported at"),
        validators=moment_validators(),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    method = forms.ChoiceField(label=_("How"), choices=DualReportMethod.choices)


class _CategoryChoice(forms.ModelChoiceField):
    """Top-level categories and their sub-types, the sub-types shown under their parent."""

    def label_from_instance(self, obj: Any) -> str:
        return f"— {localized(obj)}" if obj.parent_id else localized(obj)


def _portal_categories() -> Any:
    """Categories in use, each parent followed by its sub-types."""
    rows = list(LeadCategory.objects.filter(is_active=True).order_by("ordering", "code"))
    parents = [row for row in rows if row.parent_id is None]
    ordered = []
    for parent in parents:
        ordered.append(parent.pk)
        ordered.extend(row.pk for row in rows if row.parent_id == parent.pk)
    if not ordered:
        # A CASE without WHEN compiles to the literal 0, which PostgreSQL reads as "ORDER BY
        # column 0" and refuses: a district with no categories in use gets an empty choice.
        return LeadCategory.objects.none()
    preserved = models.Case(
        *[models.When(pk=pk, then=models.Value(i)) for i, pk in enumerate(ordered)],
        default=models.Value(len(ordered)),
        output_field=models.IntegerField(),
    )
    return LeadCategory.objects.filter(is_active=True).order_by(preserved, "code")


class PublicLeadForm(BootstrapFormMixin, forms.Form):
    """The short public report form (no account); works on a phone."""

    category = _CategoryChoice(
        label=_("What kind of problem"),
        queryset=LeadCategory.objects.none(),
        to_field_name="code",
        empty_label=_("Choose…"),
    )
    description = forms.CharField(
        label=_("What happened"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Who, what, where — as much as you know. Do not write your own name."),
    )
    school = forms.ModelChoiceField(
        label=_("School concerned (optional)"),
        required=False,
        queryset=Unit.objects.none(),
        to_field_name="code",
        empty_label=_("Not sure / none"),
    )
    place = forms.CharField(label=_("Where (optional)"), max_length=200, required=False)
    occurred_at = forms.DateTimeField(
        label=_("When (optional)"),
        required=False,
        validators=moment_validators(),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    contact = forms.CharField(
        label=_("How to reach you (optional)"),
        max_length=200,
        required=False,
        help_text=_(
            "Leave empty to stay anonymous. If you write a phone number or e-mail, it is "
            "stored encrypted and only the bureau's safety section can see it."
        ),
    )
    evidence = MultipleAttachmentField(label=_("Photos, recordings or documents"), required=False)
    persons_involved = forms.CharField(
        label=_("Who was involved (optional)"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Names, nicknames, what they look like, what they wear, a vehicle plate."),
    )
    victims = forms.CharField(
        label=_("Who was hurt or threatened (optional)"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("For example a class or a grade. You need not write full names."),
    )
    urgency = forms.ChoiceField(
        label=_("How urgent is it?"),
        choices=Urgency.choices,
        initial=Urgency.NORMAL,
        required=False,
        help_text=_("If someone is in danger right now, call 110 first."),
    )
    latitude = forms.DecimalField(
        required=False,
        min_value=-90,
        max_value=90,
        decimal_places=6,
        max_digits=9,
        widget=forms.HiddenInput,
    )
    longitude = forms.DecimalField(
        required=False,
        min_value=-180,
        max_value=180,
        decimal_places=6,
        max_digits=9,
        widget=forms.HiddenInput,
    )

    #: Shown folded under "More details", so the form stays short on a phone.
    MORE = ("persons_involved", "victims", "urgency")

    def primary_fields(self) -> list[Any]:
        return [f for f in self.visible_fields() if f.name not in self.MORE]

    def more_fields(self) -> list[Any]:
        return [self[name] for name in self.MORE]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = _portal_categories()  # type: ignore[attr-defined]
        schools = Unit.objects.filter(kind=UnitKind.SCHOOL, is_active=True).order_by("code")
        self.fields["school"].queryset = schools  # type: ignore[attr-defined]


class ReceiptForm(BootstrapFormMixin, forms.Form):
    receipt = forms.CharField(
        label=_("Receipt code"),
        max_length=64,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )


class PublicMessageForm(ReceiptForm):
    receipt = forms.CharField(max_length=64, widget=forms.HiddenInput)
    message = forms.CharField(
        label=_("Your answer"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )


class PublicEvidenceForm(ReceiptForm):
    receipt = forms.CharField(max_length=64, widget=forms.HiddenInput)
    evidence = MultipleAttachmentField(label=_("Add evidence"))


class ReporterMessageForm(BootstrapFormMixin, forms.Form):
    body = forms.CharField(
        label=_("Message to the reporter"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class TransferActionForm(forms.Form):
    """A receiving agency's answer to its transfer (page and API)."""

    action = forms.ChoiceField(choices=[(a, a) for a in ("accept", "progress", "return")])
    note = forms.CharField(required=False, max_length=2000)


class RevealForm(forms.Form):
    """A step of the two-person reveal of a reporter (page and API)."""

    ACTIONS = ("request", "approve", "deny", "withdraw", "show")

    action = forms.ChoiceField(choices=[(a, a) for a in ACTIONS])
    request_id = forms.IntegerField(required=False, min_value=1, max_value=DB_INT_MAX)
    note = forms.CharField(required=False, max_length=1000)


class LeadMergeForm(forms.Form):
    into = forms.CharField(label=_("Merge into (reference)"), max_length=40, strip=True)
    note = forms.CharField(label=_("Note"), max_length=2000, required=False, strip=True)


class LeadImportForm(BootstrapFormMixin, forms.Form):
    file = forms.FileField(
        label=_("Filled-in template (.xlsx)"),
        widget=forms.ClearableFileInput(attrs={"accept": f".xlsx,{XLSX_MIME}"}),
    )


class StatisticsPeriodForm(BootstrapFormMixin, forms.Form):
    date_from = forms.DateField(
        label=_("Received from"),
        required=False,
        validators=day_validators(),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    date_to = forms.DateField(
        label=_("Received until"),
        required=False,
        validators=day_validators(),
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            raise forms.ValidationError(_("The start date is after the end date."))
        return data
