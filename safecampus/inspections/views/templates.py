"""Checklist pages (families, versions and the draft editor); plan pages are in ``views/plans.py``.

Every reader in the bureau and the schools sees the published checklists (a school sees
what it is checked against); drafts and plans are the bureau's. The draft editor works
through htmx fragments and falls back to plain pages without JavaScript.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import Count, Prefetch, Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import View
from django_htmx.http import reswap, retarget

from safecampus.core.access import AccessMixin
from safecampus.core.errors import DomainError
from safecampus.core.http import AuthedRequest
from safecampus.inspections.choices import TemplateKind, VersionStatus
from safecampus.inspections.forms.templates import (
    ItemForm,
    MoveForm,
    SectionForm,
    TemplateCreateForm,
    TemplateEditForm,
    VersionForm,
)
from safecampus.inspections.models import (
    ChecklistTemplate,
    TemplateItem,
    TemplateSection,
    TemplateVersion,
)
from safecampus.inspections.permissions import READERS, TEMPLATE_EDITORS
from safecampus.inspections.services import templates as services

BODY = "inspections/templates/partials/_version_body.html"


# --- loading in scope -----------------------------------------------------------------


def _versions(user: Any) -> Any:
    """Versions of the checklists ``user`` may read; drafts only for the bureau."""
    versions = TemplateVersion.objects.filter(
        template__in=ChecklistTemplate.objects.visible_to(user)
    ).select_related("template", "published_by", "created_by")
    if not user.scope.district_wide:
        versions = versions.exclude(status=VersionStatus.DRAFT)
    return versions


def _template(request: AuthedRequest, template_id: int) -> ChecklistTemplate:
    template = ChecklistTemplate.objects.visible_to(request.user).filter(pk=template_id).first()
    if template is None:
        raise Http404
    return template


def _version(request: AuthedRequest, version_id: int) -> TemplateVersion:
    version = _versions(request.user).filter(pk=version_id).first()
    if version is None:
        raise Http404
    return version


def _section(request: AuthedRequest, section_id: int) -> TemplateSection:
    section = (
        TemplateSection.objects.filter(version__in=_versions(request.user), pk=section_id)
        .select_related("version__template")
        .first()
    )
    if section is None:
        raise Http404
    return section


def _item(request: AuthedRequest, item_id: int) -> TemplateItem:
    item = (
        TemplateItem.objects.filter(version__in=_versions(request.user), pk=item_id)
        .select_related("version__template", "section")
        .first()
    )
    if item is None:
        raise Http404
    return item


def _can_edit(user: Any) -> bool:
    return TEMPLATE_EDITORS.allows(user)


# --- families -------------------------------------------------------------------------


class TemplateListView(AccessMixin, View):
    """Every checklist with its version in use; the bureau also sees drafts."""

    access = READERS

    def get(self, request: AuthedRequest) -> HttpResponse:
        kind = request.GET.get("kind", "")
        templates = ChecklistTemplate.objects.visible_to(request.user).annotate(
            drafts=Count("versions", filter=Q(versions__status=VersionStatus.DRAFT))
        )
        if kind in TemplateKind.values:
            templates = templates.filter(kind=kind)
        if not request.user.scope.district_wide:
            templates = templates.filter(is_active=True)
        published = TemplateVersion.objects.filter(status=VersionStatus.PUBLISHED)
        current = {row[0]: row[1:] for row in published.values_list("template_id", "pk", "number")}
        rows = [(t, *current.get(t.pk, (None, None))) for t in templates]
        context = {
            "rows": rows,
            "kinds": TemplateKind.choices,
            "kind": kind,
            "can_edit": _can_edit(request.user),
            "is_bureau": request.user.scope.district_wide,
        }
        return render(request, "inspections/templates/template_list.html", context)


class TemplateCreateView(AccessMixin, View):
    """A new checklist family; its first draft opens in the editor."""

    access = TEMPLATE_EDITORS
    template_name = "inspections/templates/template_form.html"

    def get(self, request: AuthedRequest) -> HttpResponse:
        return render(request, self.template_name, {"form": TemplateCreateForm()})

    def post(self, request: AuthedRequest) -> HttpResponse:
        form = TemplateCreateForm(request.POST)
        status = 400
        if form.is_valid():
            try:
                template = services.template_create(actor=request.user, **form.cleaned_data)
            except DomainError as error:
                form.add_error(None, str(error.message))
                status = error.status_code
            else:
                messages.success(request, _("The checklist was created: add its items."))
                draft = template.versions.get()
                return redirect("inspections:version_detail", version_id=draft.pk)
        return render(request, self.template_name, {"form": form}, status=status)


class TemplateEditView(AccessMixin, View):
    """Rename a checklist family or change its description, in Chinese and English."""

    access = TEMPLATE_EDITORS
    template_name = "inspections/templates/template_form.html"

    def get(self, request: AuthedRequest, template_id: int) -> HttpResponse:
        template = _template(request, template_id)
        form = TemplateEditForm(initial=TemplateEditForm.initial_for(template))
        return render(request, self.template_name, {"form": form, "template": template})

    def post(self, request: AuthedRequest, template_id: int) -> HttpResponse:
        template = _template(request, template_id)
        form = TemplateEditForm(request.POST)
        status = 400
        if form.is_valid():
            try:
                services.template_update(actor=request.user, template=template, **form.cleaned_data)
            except DomainError as error:
                form.add_error(None, str(error.message))
                status = error.status_code
            else:
                messages.success(request, _("The checklist was saved."))
                return redirect("inspections:template_detail", template_id=template.pk)
        context = {"form": form, "template": template}
        return render(request, self.template_name, context, status=status)


class TemplateDetailView(AccessMixin, View):
    """A checklist family and its versions."""

    access = READERS

    def get(self, request: AuthedRequest, template_id: int) -> HttpResponse:
        template = _template(request, template_id)
        versions = (
            _versions(request.user)
            .filter(template=template)
            .annotate(item_count=Count("items", distinct=True))
            .order_by("-number")
        )
        versions = versions.annotate(inspection_count=Count("inspections", distinct=True))
        context = {
            "template": template,
            "versions": versions,
            "can_edit": _can_edit(request.user),
            "has_draft": any(v.status == VersionStatus.DRAFT for v in versions),
            "is_bureau": request.user.scope.district_wide,
        }
        return render(request, "inspections/templates/template_detail.html", context)


class TemplateDraftView(AccessMixin, View):
    """Draft a new version from the published one."""

    access = TEMPLATE_EDITORS
    http_method_names = ["post"]

    def post(self, request: AuthedRequest, template_id: int) -> HttpResponse:
        template = _template(request, template_id)
        try:
            draft = services.version_draft(actor=request.user, template=template)
        except DomainError as error:
            messages.error(request, str(error.message))
            return redirect("inspections:template_detail", template_id=template.pk)
        messages.success(request, _("Version %(number)s was drafted.") % {"number": draft.number})
        return redirect("inspections:version_detail", version_id=draft.pk)


class TemplateActiveView(AccessMixin, View):
    """Switch a checklist family on or off."""

    access = TEMPLATE_EDITORS
    http_method_names = ["post"]

    def post(self, request: AuthedRequest, template_id: int) -> HttpResponse:
        template = _template(request, template_id)
        active = request.POST.get("active") == "1"
        services.template_set_active(actor=request.user, template=template, active=active)
        messages.success(
            request,
            _("The checklist is in use.") if active else _("The checklist is no longer in use."),
        )
        return redirect("inspections:template_detail", template_id=template.pk)


# --- a version and its editor ---------------------------------------------------------


def _version_context(request: AuthedRequest, version: TemplateVersion, **extra: Any) -> Any:
    items = TemplateItem.objects.order_by("order", "id")
    sections = list(
        version.sections.order_by("order", "id").prefetch_related(Prefetch("items", items))
    )
    editable = version.is_editable and _can_edit(request.user)
    total = sum(item.weight for section in sections for item in section.items.all())
    context = {
        "version": version,
        "template": version.template,
        "sections": sections,
        "editable": editable,
        "can_edit": _can_edit(request.user),
        "total_points": total,
        "item_count": sum(len(section.items.all()) for section in sections),
        "section_form": SectionForm(),
        "version_form": VersionForm(
            initial={"pass_percent": version.pass_percent, "notes": version.notes}
        ),
        "has_draft": version.template.versions.filter(status=VersionStatus.DRAFT).exists(),
        "error": "",
    }
    context.update(extra)
    return context


def _version_page(
    request: AuthedRequest, version: TemplateVersion, *, status: int = 200, **extra: Any
) -> HttpResponse:
    """The version page, or with htmx just its body (an error is shown in it, with 200 so
    that htmx swaps it in)."""
    version.refresh_from_db()
    context = _version_context(request, version, **extra)
    if request.htmx:
        response = render(request, BODY, context)
        retarget(response, "#version-body")
        reswap(response, "outerHTML")
        return response
    return render(request, "inspections/templates/version_detail.html", context, status=status)


def _done(request: AuthedRequest, version: TemplateVersion, message: str) -> HttpResponse:
    if request.htmx:
        return _version_page(request, version)
    messages.success(request, message)
    return redirect("inspections:version_detail", version_id=version.pk)


def _refused(request: AuthedRequest, version: TemplateVersion, error: DomainError) -> HttpResponse:
    return _version_page(request, version, status=error.status_code, error=str(error.message))


class VersionDetailView(AccessMixin, View):
    """A version's sections and items; for a draft and an editor, the editor."""

    access = READERS

    def get(self, request: AuthedRequest, version_id: int) -> HttpResponse:
        return _version_page(request, _version(request, version_id))


class VersionUpdateView(AccessMixin, View):
    """A draft's pass mark and note of what changed."""

    access = TEMPLATE_EDITORS
    http_method_names = ["post"]

    def post(self, request: AuthedRequest, version_id: int) -> HttpResponse:
        version = _version(request, version_id)
        form = VersionForm(request.POST)
        if not form.is_valid():
            return _version_page(request, version, status=400, version_form=form)
        try:
            services.version_update(actor=request.user, version=version, **form.cleaned_data)
        except DomainError as error:
            return _refused(request, version, error)
        return _done(request, version, _("Saved."))


class VersionPublishView(AccessMixin, View):
    access = TEMPLATE_EDITORS
    http_method_names = ["post"]

    def post(self, request: AuthedRequest, version_id: int) -> HttpResponse:
        version = _version(request, version_id)
        try:
            services.version_publish(actor=request.user, version=version)
        except DomainError as error:
            return _refused(request, version, error)
        messages.success(
            request,
            _("Version %(number)s is published; new inspections use it.")
            % {"number": version.number},
        )
        return redirect("inspections:version_detail", version_id=version.pk)


class VersionDiscardView(AccessMixin, View):
    access = TEMPLATE_EDITORS
    http_method_names = ["post"]

    def post(self, request: AuthedRequest, version_id: int) -> HttpResponse:
        version = _version(request, version_id)
        template_id = version.template_id
        try:
            services.version_discard(actor=request.user, version=version)
        except DomainError as error:
            return _refused(request, version, error)
        messages.success(request, _("The draft was discarded."))
        return redirect("inspections:template_detail", template_id=template_id)


def _form_fragment(
    request: AuthedRequest, template: str, context: dict[str, Any], status: int
) -> HttpResponse:
    """A form with its errors: the fragment for htmx (200, so it is swapped in), else the
    form on a page of its own."""
    if request.htmx:
        return render(request, f"inspections/templates/partials/_{template}.html", context)
    return render(request, f"inspections/templates/{template}_page.html", context, status=status)


class SectionAddView(AccessMixin, View):
    access = TEMPLATE_EDITORS
    http_method_names = ["post"]

    def post(self, request: AuthedRequest, version_id: int) -> HttpResponse:
        version = _version(request, version_id)
        form = SectionForm(request.POST)
        if not form.is_valid():
            return _version_page(request, version, status=400, section_form=form)
        try:
            services.section_add(actor=request.user, version=version, **form.cleaned_data)
        except DomainError as error:
            return _refused(request, version, error)
        return _done(request, version, _("The section was added."))


class SectionEditView(AccessMixin, View):
    """Rename a draft's section."""

    access = TEMPLATE_EDITORS

    def _render(
        self, request: AuthedRequest, section: TemplateSection, form: Any, status: int
    ) -> HttpResponse:
        context = {"section": section, "version": section.version, "form": form}
        return _form_fragment(request, "section_form", context, status)

    def get(self, request: AuthedRequest, section_id: int) -> HttpResponse:
        section = _section(request, section_id)
        form = SectionForm(
            initial={"title": section.title, "title_en": section.title_en},
            auto_id=_ids("section", section.pk),
        )
        return self._render(request, section, form, 200)

    def post(self, request: AuthedRequest, section_id: int) -> HttpResponse:
        section = _section(request, section_id)
        form = SectionForm(request.POST, auto_id=_ids("section", section.pk))
        if form.is_valid():
            try:
                services.section_update(actor=request.user, section=section, **form.cleaned_data)
            except DomainError as error:
                form.add_error(None, str(error.message))
                return self._render(request, section, form, error.status_code)
            return _done(request, section.version, _("Saved."))
        return self._render(request, section, form, 400)


class SectionDeleteView(AccessMixin, View):
    access = TEMPLATE_EDITORS
    http_method_names = ["post"]

    def post(self, request: AuthedRequest, section_id: int) -> HttpResponse:
        section = _section(request, section_id)
        try:
            services.section_delete(actor=request.user, section=section)
        except DomainError as error:
            return _refused(request, section.version, error)
        return _done(request, section.version, _("The section was deleted."))


class SectionMoveView(AccessMixin, View):
    access = TEMPLATE_EDITORS
    http_method_names = ["post"]

    def post(self, request: AuthedRequest, section_id: int) -> HttpResponse:
        section = _section(request, section_id)
        form = MoveForm(request.POST)
        if not form.is_valid():
            return _version_page(
                request, section.version, status=400, error=_("The request was not understood.")
            )
        try:
            services.section_move(actor=request.user, section=section, offset=form.offset)
        except DomainError as error:
            return _refused(request, section.version, error)
        return _done(request, section.version, _("Moved."))


def _ids(prefix: str, pk: int) -> str:
    """Element ids unique per fragment: several item editors may be open at once."""
    return f"id_{prefix}{pk}_%s"


def _item_fields(form: ItemForm) -> dict[str, Any]:
    return dict(form.cleaned_data)


class ItemAddView(AccessMixin, View):
    """Add an item to a draft's section."""

    access = TEMPLATE_EDITORS

    def _render(
        self, request: AuthedRequest, section: TemplateSection, form: Any, status: int
    ) -> HttpResponse:
        context = {"section": section, "version": section.version, "form": form, "item": None}
        return _form_fragment(request, "item_form", context, status)

    def get(self, request: AuthedRequest, section_id: int) -> HttpResponse:
        section = _section(request, section_id)
        return self._render(request, section, ItemForm(auto_id=_ids("add", section.pk)), 200)

    def post(self, request: AuthedRequest, section_id: int) -> HttpResponse:
        section = _section(request, section_id)
        form = ItemForm(request.POST, auto_id=_ids("add", section.pk))
        if form.is_valid():
            try:
                services.item_add(actor=request.user, section=section, **_item_fields(form))
            except DomainError as error:
                form.add_error(None, str(error.message))
                return self._render(request, section, form, error.status_code)
            return _done(request, section.version, _("The item was added."))
        return self._render(request, section, form, 400)


class ItemEditView(AccessMixin, View):
    """Change a draft's item."""

    access = TEMPLATE_EDITORS

    def _render(
        self, request: AuthedRequest, item: TemplateItem, form: Any, status: int
    ) -> HttpResponse:
        context = {"section": item.section, "version": item.version, "form": form, "item": item}
        return _form_fragment(request, "item_form", context, status)

    def get(self, request: AuthedRequest, item_id: int) -> HttpResponse:
        item = _item(request, item_id)
        initial = {field: getattr(item, field) for field in services.ITEM_FIELDS}
        form = ItemForm(initial=initial, auto_id=_ids("item", item.pk))
        return self._render(request, item, form, 200)

    def post(self, request: AuthedRequest, item_id: int) -> HttpResponse:
        item = _item(request, item_id)
        form = ItemForm(request.POST, auto_id=_ids("item", item.pk))
        if form.is_valid():
            try:
                services.item_update(actor=request.user, item=item, **_item_fields(form))
            except DomainError as error:
                form.add_error(None, str(error.message))
                return self._render(request, item, form, error.status_code)
            return _done(request, item.version, _("Saved."))
        return self._render(request, item, form, 400)


class ItemDeleteView(AccessMixin, View):
    access = TEMPLATE_EDITORS
    http_method_names = ["post"]

    def post(self, request: AuthedRequest, item_id: int) -> HttpResponse:
        item = _item(request, item_id)
        try:
            services.item_delete(actor=request.user, item=item)
        except DomainError as error:
            return _refused(request, item.version, error)
        return _done(request, item.version, _("The item was deleted."))


class ItemMoveView(AccessMixin, View):
    access = TEMPLATE_EDITORS
    http_method_names = ["post"]

    def post(self, request: AuthedRequest, item_id: int) -> HttpResponse:
        item = _item(request, item_id)
        form = MoveForm(request.POST)
        if not form.is_valid():
            return _version_page(
                request, item.version, status=400, error=_("The request was not understood.")
            )
        try:
            services.item_move(actor=request.user, item=item, offset=form.offset)
        except DomainError as error:
            return _refused(request, item.version, error)
        return _done(request, item.version, _("Moved."))
