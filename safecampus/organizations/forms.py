"""Filters of the school register and the work-plan upload."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from safecampus.attachments.forms import AttachmentField
from safecampus.attachments.services import attachment_check
from safecampus.core.forms import BootstrapFormMixin
from safecampus.organizations.choices import SchoolKind, UnitKind

DOCUMENT_TYPES = {
    "application/pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


class SchoolFilterForm(BootstrapFormMixin, forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=60)
    school_kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("All kinds")), *SchoolKind.choices]
    )
    boarding = forms.TypedChoiceField(
        label=_("Boarding"),
        required=False,
        empty_value=None,
        choices=[("", _("All")), ("1", _("Boarding")), ("0", _("Day school"))],
        coerce=lambda v: v == "1",
    )


class ResponsibilityFilterForm(BootstrapFormMixin, forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"),
        required=False,
        choices=[
            ("", _("All units")),
            (UnitKind.SCHOOL, UnitKind.SCHOOL.label),
            (UnitKind.SECTION, UnitKind.SECTION.label),
            (UnitKind.INSTITUTION, UnitKind.INSTITUTION.label),
        ],
    )


class WorkPlanUploadForm(BootstrapFormMixin, forms.Form):
    title = forms.CharField(label=_("Title"), max_length=120)
    note = forms.CharField(label=_("What changed"), max_length=200, required=False)
    document = AttachmentField(label=_("Document (PDF, Word)"))

    def clean_document(self) -> Any:
        document = self.cleaned_data["document"]
        kind = attachment_check(document)
        if kind.mime not in DOCUMENT_TYPES:
            raise forms.ValidationError(_("Upload the plan as a PDF or Word document."))
        document.seek(0)
        return document


class DesignationForm(BootstrapFormMixin, forms.Form):
    """Name a designated person: one of the unit's active members."""

    person = forms.ChoiceField(label=_("Person"))
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def __init__(self, *args: Any, members: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.members = {str(m.user_id): m.user for m in members}
        self.fields["person"].choices = [  # type: ignore[attr-defined]
            (str(m.user_id), f"{m.user} · {m.get_role_display()}") for m in members
        ]

    def person_user(self) -> Any:
        return self.members[self.cleaned_data["person"]]


class DesignationEndForm(BootstrapFormMixin, forms.Form):
    note = forms.CharField(label=_("Reason"), max_length=200)
