"""Pages of the hazard register (隐患台账) and of rectification notices (整改通知书): the
register with its filters and counts, a hazard, reporting one, issuing a notice, the
notices by state, a notice with the school's report and the verification, the PDF and the
Excel ledger. Views parse input and call services; objects come through ``visible_to``."""

from __future__ import annotations

import tempfile
from collections.abc import Iterable
from datetime import datetime
from typing import Any
from urllib.parse import quote

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.views import View

from safecampus.audit.services import audit_record, audit_record_access
from safecampus.cases.selectors import case_timeline, deadline_list
from safecampus.cases.services import deadline_label
from safecampus.core.access import AccessMixin
from safecampus.core.errors import DomainError
from safecampus.core.http import AuthedRequest, query_without_page
from safecampus.inspections.choices import (
    SCHOOL_RECTIFIERS,
    HazardCategory,
    HazardLevel,
    HazardStatus,
)
from safecampus.inspections.documents import notice_filename, rectification_notice_pdf
from safecampus.inspections.errors import InspectionError
from safecampus.inspections.excel import hazards as excel_hazards
from safecampus.inspections.forms.hazards import (
    HazardFilterForm,
    HazardReportForm,
    InterimForm,
    IssueForm,
    ReasonForm,
    SubmitForm,
    VerifyForm,
)
from safecampus.inspections.models import Hazard, Rectification
from safecampus.inspections.permissions import (
    INTERIM,
    ISSUERS,
    NOTICE_CANCELLERS,
    READERS,
    RECTIFIERS,
    REPORTERS,
    VERIFYING,
    VOIDERS,
)
from safecampus.inspections.selectors.hazards import (
    hazard_counts,
    hazard_get,
    hazard_list,
    notice_hazards,
    overdue_notice_ids,
    rectification_counts,
    rectification_get,
    rectification_list,
)
from safecampus.inspections.selectors.inspections import hazard_photos
from safecampus.inspections.services import hazards as hazard_services
from safecampus.inspections.services import rectification as services
from safecampus.organizations.choices import BUREAU_ROLES, Role

PAGE_SIZE = 50
STATES = ("open", "overdue", "closed")


def _disposition(filename: str) -> str:
    """RFC 6266 with the RFC 5987 UTF-8 form, as attachments are sent."""
    return f"attachment; filename*=UTF-8''{quote(filename, safe='')}"


def _may_issue(user: Any) -> bool:
    scope = user.scope
    return bool(scope.has_role(Role.INSPECTOR, Role.BUREAU_SAFETY_OFFICER, Role.PRINCIPAL))


# --- the register --------------------------------------------------------------------------

#: The badge of each status in the register's table.
_STATUS_BADGES: dict[str, str] = {
    HazardStatus.CLOSED: "text-bg-success",
    HazardStatus.VOID: "text-bg-secondary",
    HazardStatus.VERIFYING: "text-bg-info",
    HazardStatus.RECTIFYING: "text-bg-primary",
}
_LEVEL_RANKS: dict[str, str] = {HazardLevel.MAJOR: "1", HazardLevel.SERIOUS: "2"}
#: What the register's rows show: the rest of the three rows (the texts of notices, the
#: schools' addresses…) is neither read nor turned into Python (~1.5 ms a page of fifty).
_ROW_COLUMNS = (
    "found_at",
    "school_id",
    "place",
    "category",
    "level",
    "description",
    "status",
    "rectification_id",
    "school__name",
    "rectification__reference",
    "rectification__due_at",
)


def _day(moment: datetime | None) -> str:
    """``moment|date:"Y-m-d"`` in the current time zone, as the template filter writes it."""
    return "" if moment is None else timezone.localtime(moment).strftime("%Y-%m-%d")


def _ready_rows(page: Iterable[Hazard]) -> None:
    """Put on each hazard of a page what its row shows, worked out here once: labels from one
    dict per choice set rather than ``get_*_display`` (which rebuilds and hashes every lazy
    label on each call), days and truncations in Python rather than template filters. The
    table's fifty rows took ~13 ms to render, a third of a cold register page."""
    hazards = list(page)
    late = overdue_notice_ids([h.rectification_id for h in hazards])
    categories = {str(k): str(v) for k, v in HazardCategory.choices}
    levels = {str(k): str(v) for k, v in HazardLevel.choices}
    statuses = {str(k): str(v) for k, v in HazardStatus.choices}
    for hazard in hazards:
        row: Any = hazard
        row.is_overdue = hazard.rectification_id in late
        row.found_on = _day(hazard.found_at)
        row.category_label = categories.get(hazard.category, hazard.category)
        row.level_label = levels.get(hazard.level, hazard.level)
        row.level_rank = _LEVEL_RANKS.get(hazard.level, "3")
        row.status_label = statuses.get(hazard.status, hazard.status)
        row.status_badge = _STATUS_BADGES.get(hazard.status, "text-bg-light border")
        row.place_short = Truncator(hazard.place or "—").chars(20)
        row.summary = Truncator(hazard.description).chars(60)
        row.summary_short = Truncator(hazard.description).chars(30)
        notice = hazard.rectification
        row.due_on = _day(notice.due_at) if notice is not None else ""


class HazardListView(AccessMixin, View):
    """The register (隐患台账) of the hazards the user may see, filtered and paginated."""

    access = READERS

    def get(self, request: AuthedRequest) -> HttpResponse:
        form = HazardFilterForm(request.GET or None, user=request.user)
        hazards = hazard_list(user=request.user, **form.filters()).only(*_ROW_COLUMNS)
        page = Paginator(hazards, PAGE_SIZE).get_page(request.GET.get("page"))
        _ready_rows(page)
        context = {
            "form": form,
            "page": page,
            "query": query_without_page(request),
            "counts": hazard_counts(user=request.user),
            "levels": HazardLevel,
            "can_report": REPORTERS.allows(request.user),
            "can_issue": _may_issue(request.user),
            "issue_form": IssueForm(),
            "hazard_prefix": reverse("inspections:hazard_list"),
            "notice_prefix": reverse("inspections:rectification_list"),
        }
        if request.htmx and not request.htmx.boosted:
            return render(request, "inspections/hazards/partials/_hazard_table.html", context)
        return render(request, "inspections/hazards/hazard_list.html", context)


def _hazard(request: AuthedRequest, hazard_id: int) -> Hazard:
    hazard = hazard_get(user=request.user, hazard_id=hazard_id)
    if hazard is None:
        raise Http404
    return hazard


def _hazard_page(
    request: AuthedRequest, hazard: Hazard, *, error: str = "", status: int = 200, **forms: Any
) -> HttpResponse:
    user = request.user
    scope = user.scope
    open_ = hazard.status in (HazardStatus.OPEN, HazardStatus.RECTIFYING, HazardStatus.VERIFYING)
    context = {
        "hazard": hazard,
        "photos": hazard_photos(hazard),
        "error": error,
        "interim_form": forms.get("interim_form")
        or InterimForm(
            initial={"measure": hazard.interim_measure, "responsible": hazard.interim_responsible}
        ),
        "void_form": forms.get("void_form") or ReasonForm(),
        "issue_form": IssueForm(),
        "can_interim": open_
        and (
            scope.has_role(*BUREAU_ROLES)
            or scope.has_role(*SCHOOL_RECTIFIERS, unit_id=hazard.school_id)
        ),
        "can_void": hazard.status == HazardStatus.OPEN
        and hazard.rectification_id is None
        and VOIDERS.allows(user),
        "can_issue": hazard.status == HazardStatus.OPEN
        and hazard.rectification_id is None
        and (
            scope.has_role(Role.INSPECTOR, Role.BUREAU_SAFETY_OFFICER)
            or scope.has_role(Role.PRINCIPAL, unit_id=hazard.school_id)
        ),
        "is_major": hazard.level == HazardLevel.MAJOR,
    }
    return render(request, "inspections/hazards/hazard_detail.html", context, status=status)


class HazardDetailView(AccessMixin, View):
    """One hazard: the facts, photos, its inspection and notice, the interim measure."""

    access = READERS

    def get(self, request: AuthedRequest, hazard_id: int) -> HttpResponse:
        return _hazard_page(request, _hazard(request, hazard_id))


class HazardInterimView(AccessMixin, View):
    """Name the interim control measure (临时管控措施) of a hazard and who answers for it."""

    access = INTERIM
    http_method_names = ["post"]

    def post(self, request: AuthedRequest, hazard_id: int) -> HttpResponse:
        hazard = _hazard(request, hazard_id)
        form = InterimForm(request.POST)
        if not form.is_valid():
            return _hazard_page(request, hazard, interim_form=form, status=400)
        try:
            hazard_services.hazard_set_interim(
                actor=request.user,
                hazard=hazard,
                measure=form.cleaned_data["measure"],
                responsible=form.cleaned_data["responsible"],
            )
        except DomainError as error:
            return _hazard_page(request, hazard, error=str(error.message), status=error.status_code)
        messages.success(request, _("The interim control measure was saved."))
        return redirect("inspections:hazard", hazard_id=hazard.pk)


class HazardVoidView(AccessMixin, View):
    """Strike a hazard entered in error (作废), with the reason."""

    access = VOIDERS
    http_method_names = ["post"]

    def post(self, request: AuthedRequest, hazard_id: int) -> HttpResponse:
        hazard = _hazard(request, hazard_id)
        form = ReasonForm(request.POST)
        if not form.is_valid():
            return _hazard_page(request, hazard, void_form=form, status=400)
        try:
            hazard_services.hazard_void(
                actor=request.user, hazard=hazard, reason=form.cleaned_data["reason"]
            )
        except DomainError as error:
            return _hazard_page(request, hazard, error=str(error.message), status=error.status_code)
        messages.success(request, _("The hazard was voided."))
        return redirect("inspections:hazard", hazard_id=hazard.pk)


class HazardReportView(AccessMixin, View):
    """Report a hazard: a school's people in their own school, the bureau in any school."""

    access = REPORTERS
    template_name = "inspections/hazards/hazard_form.html"

    def get(self, request: AuthedRequest) -> HttpResponse:
        return render(request, self.template_name, {"form": HazardReportForm(user=request.user)})

    def post(self, request: AuthedRequest) -> HttpResponse:
        form = HazardReportForm(request.POST, request.FILES, user=request.user)
        status = 400
        if form.is_valid():
            try:
                hazard = hazard_services.hazard_register(actor=request.user, **form.cleaned_data)
            except DomainError as error:
                form.add_error(None, str(error.message))
                status = error.status_code
            else:
                messages.success(request, _("The hazard was entered in the register."))
                return redirect("inspections:hazard", hazard_id=hazard.pk)
        return render(request, self.template_name, {"form": form}, status=status)


class HazardIssueView(AccessMixin, View):
    """Issue a rectification notice for chosen open hazards of one school (POST from the
    register or a hazard's page); a refusal comes back to the register with the reason."""

    access = ISSUERS
    http_method_names = ["post"]

    def post(self, request: AuthedRequest) -> HttpResponse:
        form = IssueForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Choose at least one hazard."))
            return redirect("inspections:hazard_list")
        ids = form.cleaned_data["hazards"]
        hazards = list(Hazard.objects.visible_to(request.user).filter(pk__in=ids))
        if len(hazards) != len(set(ids)):
            raise Http404
        try:
            notice = services.rectification_issue(
                actor=request.user,
                hazards=hazards,
                requirements=form.cleaned_data["requirements"],
                due_on=form.cleaned_data["due_on"],
            )
        except DomainError as error:
            messages.error(request, str(error.message))
            if len(hazards) == 1:
                return redirect("inspections:hazard", hazard_id=hazards[0].pk)
            return redirect("inspections:hazard_list")
        messages.success(
            request, _("Notice %(reference)s was issued.") % {"reference": notice.reference}
        )
        return redirect("inspections:rectification", rectification_id=notice.pk)


class HazardExportView(AccessMixin, View):
    """The register's hazards, with the same filters, as the Excel ledger a bureau files."""

    access = READERS

    def get(self, request: AuthedRequest) -> HttpResponseBase:
        user = request.user
        form = HazardFilterForm(request.GET or None, user=user)
        filters = form.filters()
        hazards = hazard_list(user=user, **filters)
        count = hazards.count()
        if count > excel_hazards.MAX_ROWS:
            messages.error(
                request,
                _(
                    "%(count)d hazards match: more than the %(max)d a ledger can hold. "
                    "Narrow the filters and export again."
                )
                % {"count": count, "max": excel_hazards.MAX_ROWS},
            )
            return redirect(f"{reverse('inspections:hazard_list')}?{query_without_page(request)}")
        now = timezone.now()
        audit_record(
            actor=user,
            action="inspections.hazard.exported",
            object_type=Hazard._meta.label_lower,
            request=request,
            changes={"filters": {k: str(v) for k, v in filters.items()}, "rows": count},
        )
        out = tempfile.TemporaryFile()  # noqa: SIM115  (the response closes it once sent)
        subtitle = _("Exported %(time)s (Beijing time) · %(count)d hazards") % {
            "time": f"{timezone.localtime(now):%Y-%m-%d %H:%M}",
            "count": count,
        }
        excel_hazards.hazard_ledger_write(out, hazards, title=_("Hazard ledger"), subtitle=subtitle)
        out.seek(0)
        response = FileResponse(out, content_type=excel_hazards.XLSX_MIME)
        response["Content-Disposition"] = _disposition(excel_hazards.ledger_filename(now))
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = "private, no-store"
        return response


# --- rectification notices -----------------------------------------------------------------


class RectificationListView(AccessMixin, View):
    """Notices by state: open, overdue, closed (a school sees its own)."""

    access = READERS

    def get(self, request: AuthedRequest) -> HttpResponse:
        state = request.GET.get("state") or "open"
        if state not in STATES:
            state = "open"
        notices = rectification_list(user=request.user, state=state)
        page = Paginator(notices, PAGE_SIZE).get_page(request.GET.get("page"))
        late = overdue_notice_ids([n.pk for n in page])
        for notice in page:
            notice.is_overdue = notice.pk in late  # type: ignore[attr-defined]
        context = {
            "state": state,
            "page": page,
            "query": f"state={state}",
            "counts": rectification_counts(user=request.user),
        }
        return render(request, "inspections/hazards/rectification_list.html", context)


def _notice(request: AuthedRequest, rectification_id: int) -> Rectification:
    notice = rectification_get(user=request.user, rectification_id=rectification_id)
    if notice is None:
        raise Http404
    return notice


def _notice_page(
    request: AuthedRequest,
    notice: Rectification,
    *,
    error: str = "",
    submit_form: SubmitForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    hazards = notice_hazards(notice)
    deadlines = list(deadline_list(user=user, case=notice))
    for deadline in deadlines:
        deadline.display_label = deadline_label(deadline)  # type: ignore[attr-defined]
    photos = {hazard.pk: hazard_photos(hazard) for hazard in hazards}
    may_verify = (
        notice.status == services.RectificationStatus.SUBMITTED
        and services.may_verify(user, notice)
        and notice.submitted_by_id != user.pk
    )
    context = {
        "notice": notice,
        "hazards": [(hazard, photos[hazard.pk]) for hazard in hazards],
        "deadlines": deadlines,
        "is_overdue": bool(overdue_notice_ids([notice.pk])),
        "events": case_timeline(user=user, case=notice),
        "error": error,
        "submit_form": submit_form
        or SubmitForm(hazards=hazards, initial={"overall": notice.measures}),
        "may_submit": services.may_submit(user, notice),
        "may_verify": may_verify,
        "own_submission": notice.submitted_by_id == user.pk,
        "may_cancel": not notice.is_closed and NOTICE_CANCELLERS.allows(user),
        "verify_form": VerifyForm(initial={"version": notice.lock_version}),
        "cancel_form": ReasonForm(),
        "any_major": any(h.level == HazardLevel.MAJOR for h in hazards),
    }
    return render(request, "inspections/hazards/rectification_detail.html", context, status=status)


class RectificationDetailView(AccessMixin, View):
    """A notice: status, time limits, hazards with photos, the school's report form, the
    verification, the timeline, the PDF."""

    access = READERS

    def get(self, request: AuthedRequest, rectification_id: int) -> HttpResponse:
        return _notice_page(request, _notice(request, rectification_id))


class RectificationSubmitView(AccessMixin, View):
    """The school reports its measures and evidence per hazard."""

    access = RECTIFIERS
    http_method_names = ["post"]

    def post(self, request: AuthedRequest, rectification_id: int) -> HttpResponse:
        notice = _notice(request, rectification_id)
        form = SubmitForm(request.POST, request.FILES, hazards=notice_hazards(notice))
        if not form.is_valid():
            return _notice_page(request, notice, submit_form=form, status=400)
        try:
            services.rectification_submit(
                actor=request.user,
                notice=notice,
                measures=form.measures(),
                overall=form.cleaned_data["overall"],
                evidence=form.evidence(),
                expected_version=form.cleaned_data.get("version"),
            )
        except DomainError as error:
            notice = _notice(request, rectification_id)
            return _notice_page(
                request,
                notice,
                error=str(error.message),
                submit_form=form,
                status=error.status_code,
            )
        messages.success(request, _("The rectification was submitted for verification."))
        return redirect("inspections:rectification", rectification_id=notice.pk)


class RectificationVerifyView(AccessMixin, View):
    """Accept the school's rectification, or return it with the reason."""

    access = VERIFYING
    http_method_names = ["post"]

    def post(self, request: AuthedRequest, rectification_id: int) -> HttpResponse:
        notice = _notice(request, rectification_id)
        form = VerifyForm(request.POST)
        if not form.is_valid():
            return _notice_page(
                request, notice, error=_("The request was not understood."), status=400
            )
        data = form.cleaned_data
        try:
            if data["action"] == "accept":
                services.rectification_verify(
                    actor=request.user,
                    notice=notice,
                    note=data["note"],
                    expected_version=data.get("version"),
                )
                done = _("The rectification was accepted; its hazards are closed.")
            else:
                services.rectification_return(
                    actor=request.user,
                    notice=notice,
                    reason=data["note"],
                    expected_version=data.get("version"),
                )
                done = _("The rectification was returned to the school.")
        except DomainError as error:
            notice = _notice(request, rectification_id)
            return _notice_page(request, notice, error=str(error.message), status=error.status_code)
        messages.success(request, done)
        return redirect("inspections:rectification", rectification_id=notice.pk)


class RectificationCancelView(AccessMixin, View):
    """The bureau safety officer withdraws a notice; its hazards return to the register."""

    access = NOTICE_CANCELLERS
    http_method_names = ["post"]

    def post(self, request: AuthedRequest, rectification_id: int) -> HttpResponse:
        notice = _notice(request, rectification_id)
        form = ReasonForm(request.POST)
        try:
            if not form.is_valid():
                raise InspectionError(
                    _("Give the reason for cancelling it."), code="reason_required"
                )
            services.rectification_cancel(
                actor=request.user, notice=notice, reason=form.cleaned_data["reason"]
            )
        except DomainError as error:
            return _notice_page(request, notice, error=str(error.message), status=error.status_code)
        messages.success(request, _("The notice was cancelled."))
        return redirect("inspections:rectification", rectification_id=notice.pk)


class RectificationPdfView(AccessMixin, View):
    """The notice as the formal document (PDF), made on request; the read is audited."""

    access = READERS

    def get(self, request: AuthedRequest, rectification_id: int) -> HttpResponse:
        notice = _notice(request, rectification_id)
        data = rectification_notice_pdf(notice)
        audit_record_access(actor=request.user, obj=notice, field="notice_pdf", request=request)
        response = HttpResponse(data, content_type="application/pdf")
        response["Content-Disposition"] = _disposition(notice_filename(notice))
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = "private, no-store"
        return response
