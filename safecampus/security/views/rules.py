"""The alert rules page: what raises an alert, how grave, where and when."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from safecampus.core.access import Access, AccessMixin
from safecampus.core.errors import DomainError
from safecampus.core.forms import BootstrapFormMixin
from safecampus.core.http import AuthedRequest
from safecampus.core.i18n import localized
from safecampus.organizations.choices import BUREAU_ROLES, Role
from safecampus.organizations.models import Unit
from safecampus.security.choices import DEVICE_EVENT_TYPES, EventType, Priority
from safecampus.security.models import AlertRule
from safecampus.security.services.rules import may_edit, rule_delete, rule_list, rule_save

READERS = Access.for_roles(BUREAU_ROLES | {Role.PRINCIPAL, Role.SCHOOL_OFFICER, Role.GUARD})
TYPES = [(value, label) for value, label in EventType.choices if value in DEVICE_EVENT_TYPES]
TYPES += [(EventType.DEVICE_OFFLINE.value, EventType.DEVICE_OFFLINE.label)]


class RuleForm(BootstrapFormMixin, forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=120)
    name_en = forms.CharField(
        label=gettext_lazy("Name in English"),
        max_length=120,
        required=False,
        help_text=gettext_lazy("Shown to English readers; empty: they see the Chinese."),
    )
    event_type = forms.ChoiceField(label=gettext_lazy("Event type"), choices=TYPES)
    school = forms.ModelChoiceField(
        label=gettext_lazy("Applies to"),
        queryset=Unit.objects.none(),
        to_field_name="code",
        required=False,
        empty_label=gettext_lazy("The whole district"),
    )
    zone = forms.CharField(label=gettext_lazy("Zone (empty: any)"), max_length=80, required=False)
    starts_at = forms.TimeField(
        label=gettext_lazy("From"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )
    ends_at = forms.TimeField(
        label=gettext_lazy("Until"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        help_text=gettext_lazy("A window may pass midnight, e.g. 22:00–06:00. Empty: all day."),
    )
    priority = forms.TypedChoiceField(
        label=gettext_lazy("Priority"), choices=Priority.choices, coerce=int
    )
    enabled = forms.BooleanField(label=gettext_lazy("Enabled"), required=False, initial=True)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        scope = user.scope
        schools = Unit.objects.filter(kind="school", is_active=True).order_by("code")
        if not scope.has_role(Role.BUREAU_SAFETY_OFFICER, Role.BUREAU_LEADER):
            schools = schools.filter(pk__in=scope.school_unit_ids)
            self.fields["school"].required = True
            self.fields["school"].empty_label = None  # type: ignore[attr-defined]
        self.fields["school"].queryset = schools.only("code", "name")  # type: ignore[attr-defined]


def _rule(request: AuthedRequest, pk: int) -> AlertRule:
    found = rule_list(user=request.user).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def _save(request: AuthedRequest, form: RuleForm, rule: AlertRule | None) -> str:
    data = form.cleaned_data
    saved = rule_save(
        actor=request.user,
        rule=rule,
        school=data["school"],
        name=data["name"],
        name_en=data["name_en"],
        event_type=data["event_type"],
        priority=data["priority"],
        zone=data["zone"],
        starts_at=data["starts_at"],
        ends_at=data["ends_at"],
        enabled=data["enabled"],
    )
    return localized(saved)


class RuleListView(AccessMixin, View):
    """Every rule that applies to the user's schools, and a form to add one."""

    access = READERS
    template_name = "security/rule_list.html"

    def page(self, request: AuthedRequest, form: RuleForm, status: int = 200) -> HttpResponse:
        rules = list(rule_list(user=request.user))
        for candidate in rules:
            candidate.editable = may_edit(request.user, candidate.school)  # type: ignore[attr-defined]
        context = {
            "rules": rules,
            "form": form,
            "can_add": may_edit(request.user, None)
            or (
                bool(request.user.scope.school_unit_ids)
                and request.user.scope.has_role(Role.PRINCIPAL, Role.SCHOOL_OFFICER)
            ),
        }
        return render(request, self.template_name, context, status=status)

    def get(self, request: AuthedRequest) -> HttpResponse:
        return self.page(request, RuleForm(user=request.user))

    def post(self, request: AuthedRequest) -> HttpResponse:
        form = RuleForm(request.POST, user=request.user)
        if not form.is_valid():
            return self.page(request, form, status=400)
        try:
            name = _save(request, form, None)
        except DomainError as error:
            form.add_error(None, str(error.message))
            return self.page(request, form, status=error.status_code)
        messages.success(request, _("Rule “%(name)s” saved.") % {"name": name})
        return redirect("security_rules:list")


class RuleEditView(AccessMixin, View):
    access = READERS
    template_name = "security/rule_form.html"

    def get(self, request: AuthedRequest, rule_id: int) -> HttpResponse:
        rule = _rule(request, rule_id)
        initial = {
            "name": rule.name,
            "name_en": rule.name_en,
            "event_type": rule.event_type,
            "school": rule.school.code if rule.school else None,
            "zone": rule.zone,
            "starts_at": rule.starts_at,
            "ends_at": rule.ends_at,
            "priority": rule.priority,
            "enabled": rule.enabled,
        }
        form = RuleForm(initial=initial, user=request.user)
        return render(request, self.template_name, {"form": form, "rule": rule})

    def post(self, request: AuthedRequest, rule_id: int) -> HttpResponse:
        rule = _rule(request, rule_id)
        if request.POST.get("delete"):
            try:
                rule_delete(actor=request.user, rule=rule)
            except DomainError as error:
                messages.error(request, str(error.message))
                return redirect("security_rules:list")
            messages.success(request, _("Rule deleted."))
            return redirect("security_rules:list")
        form = RuleForm(request.POST, user=request.user)
        status = 400
        if form.is_valid():
            try:
                name = _save(request, form, rule)
            except DomainError as error:
                form.add_error(None, str(error.message))
                status = error.status_code
            else:
                messages.success(request, _("Rule “%(name)s” saved.") % {"name": name})
                return redirect("security_rules:list")
        return render(request, self.template_name, {"form": form, "rule": rule}, status=status)
