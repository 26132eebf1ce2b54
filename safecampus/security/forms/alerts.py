"""Forms of the alert console and history: filters and the moves on an alert, and
``run_action``, which reads a posted move and calls its service. The console page and the
alerts API both go through ``run_action``, so a move checks the same input and fails with the
same errors on either."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from django import forms
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from safecampus.core.bounds import day_validators
from safecampus.core.forms import BootstrapFormMixin
from safecampus.core.localtime import CHINA_TZ
from safecampus.organizations.models import Unit
from safecampus.security.choices import AlertStatus, EventType, Outcome, Priority
from safecampus.security.models import Alert
from safecampus.security.permissions import alert_school_ids
from safecampus.security.services import alerts as services
from safecampus.security.services.alerts import NOTE_MAX


def school_choices(user: Any) -> list[tuple[str, str]]:
    """The schools whose alerts ``user`` watches, as (id, name)."""
    ids = alert_school_ids(user)
    schools = Unit.objects.schools().filter(is_active=True)
    if ids is not None:
        schools = schools.filter(pk__in=ids)
    return [(str(pk), name) for pk, name in schools.order_by("code").values_list("pk", "name")]


class AlertFilterForm(BootstrapFormMixin, forms.Form):
    school = forms.TypedChoiceField(label=_("School"), required=False, coerce=int)
    event_type = forms.ChoiceField(
        label=_("Type"), required=False, choices=[("", _("All")), *EventType.choices]
    )
    priority = forms.TypedChoiceField(
        label=_("Priority at least"),
        required=False,
        coerce=int,
        choices=[("", _("All")), *[(str(v), label) for v, label in Priority.choices]],
    )
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All")), *AlertStatus.choices]
    )
    outcome = forms.ChoiceField(
        label=_("Outcome"), required=False, choices=[("", _("All")), *Outcome.choices]
    )
    since = forms.DateField(
        label=_("From"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        validators=day_validators(),
    )
    until = forms.DateField(
        label=_("To"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        validators=day_validators(),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["school"].choices = [("", _("All schools")), *school_choices(user)]  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("since") and data.get("until") and data["since"] > data["until"]:
            raise forms.ValidationError(_("The start date is after the end date."))
        return data

    def filters(self) -> dict[str, Any]:
        """The selector's keyword arguments (days are China days, the end day included)."""
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        found: dict[str, Any] = {
            "school": data.get("school") or None,
            "event_type": data.get("event_type") or "",
            "priority_min": None if data.get("priority") in ("", None) else data["priority"],
            "status": data.get("status") or "",
            "outcome": data.get("outcome") or "",
        }
        if data.get("since"):
            found["since"] = datetime.combine(data["since"], time.min, tzinfo=CHINA_TZ)
        if data.get("until"):
            end = datetime.combine(data["until"], time.min, tzinfo=CHINA_TZ)
            found["until"] = end + timedelta(days=1)
        return found


class DisposeForm(BootstrapFormMixin, forms.Form):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=Outcome.choices)
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=NOTE_MAX,
        widget=forms.TextInput(attrs={"placeholder": _("What was done (required if real)")}),
    )


class NoteForm(BootstrapFormMixin, forms.Form):
    note = forms.CharField(
        label=_("Note"),
        max_length=NOTE_MAX,
        widget=forms.TextInput(attrs={"placeholder": _("Why this is an incident")}),
    )


def parse_cursor(value: str | None) -> datetime | None:
    """A cursor the console was given (ISO 8601), or None when absent or malformed."""
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value.replace(" ", "+"))
    except ValueError:
        return None
    return moment if moment.tzinfo else timezone.make_aware(moment)


#: The moves on an alert, as they appear in the console's and the API's URLs.
ACTIONS = ("acknowledge", "dispose", "escalate", "request-help")


def run_action(user: Any, alert: Alert, action: str, data: Any) -> Alert:
    """Call the service behind ``action`` with the posted ``data``; raise on bad input."""
    if action == "acknowledge":
        return services.alert_acknowledge(actor=user, alert=alert)
    if action == "dispose":
        form = DisposeForm(data)
        if not form.is_valid():
            raise services.AlertError(gettext("Choose the outcome."), code="bad_outcome")
        return services.alert_dispose(
            actor=user,
            alert=alert,
            outcome=form.cleaned_data["outcome"],
            note=form.cleaned_data["note"],
        )
    if action == "escalate":
        return services.alert_escalate_incident(
            actor=user, alert=alert, note=str(data.get("note", ""))
        )
    if action == "request-help":
        return services.alert_request_police_help(actor=user, alert=alert)
    raise Http404
