"""Pages of the monthly warning notice: the list, drafting and issuing, the acknowledgement
progress with the per-school table, the formal documents, and each school's copy with its
acknowledgement, feedback and the bureau's close or ask-for-more."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from safecampus.audit.services import audit_record_access
from safecampus.cases.selectors import case_timeline, case_transition_list, deadline_list
from safecampus.cases.services import deadline_label
from safecampus.core.access import AccessMixin
from safecampus.core.errors import DomainError
from safecampus.core.http import AuthedRequest, query_without_page
from safecampus.risk import documents
from safecampus.risk.choices import (
    RISK_MANAGER_ROLES,
    SCHOOL_RESPONDERS,
    NoticeStatus,
    SchoolWarningStatus,
)
from safecampus.risk.errors import RiskError
from safecampus.risk.forms.notices import (
    FeedbackForm,
    NoticeCreateForm,
    NoticeEditForm,
    WarningActionForm,
    WarningEditForm,
    WarningFilterForm,
)
from safecampus.risk.models import SchoolWarning, WarningNotice
from safecampus.risk.permissions import MANAGERS, READERS, WARNING_ACTORS
from safecampus.risk.selectors.notices import (
    level_counts,
    notice_get,
    notice_list,
    notice_progress,
    warning_get,
    warning_list,
)
from safecampus.risk.services import notices as services_notices

PAGE_SIZE = 50


def _notice(request: AuthedRequest, notice_id: int) -> WarningNotice:
    notice = notice_get(user=request.user, notice_id=notice_id)
    if notice is None:
        raise Http404
    return notice


def _warning(request: AuthedRequest, warning_id: int) -> SchoolWarning:
    warning = warning_get(user=request.user, warning_id=warning_id)
    if warning is None:
        raise Http404
    return warning


def _is_manager(request: AuthedRequest) -> bool:
    return bool(request.user.scope.has_role(*RISK_MANAGER_ROLES))


class NoticeListView(AccessMixin, View):
    """The monthly notices: every one for the bureau, issued ones for a school."""

    access = READERS

    def get(self, request: AuthedRequest) -> HttpResponse:
        notices = notice_list(user=request.user)
        page = Paginator(notices, PAGE_SIZE).get_page(request.GET.get("page"))
        school = not request.user.scope.district_wide
        if school:
            ids = [notice.pk for notice in page]
            own = {
                w.notice_id: w for w in warning_list(user=request.user).filter(notice_id__in=ids)
            }
            for notice in page:
                notice.own_warning = own.get(notice.pk)  # type: ignore[attr-defined]
        context = {
            "page": page,
            "query": query_without_page(request),
            "can_draft": _is_manager(request),
            "own": school,
        }
        if request.htmx:
            return render(request, "risk/notices/partials/_notice_table.html", context)
        return render(request, "risk/notices/notice_list.html", context)


class NoticeCreateView(AccessMixin, View):
    """Draft the notice of a month from its grades and seasonal risks."""

    access = MANAGERS
    template_name = "risk/notices/notice_form.html"

    def get(self, request: AuthedRequest) -> HttpResponse:
        initial = {"month": f"{timezone.localdate():%Y-%m}"}
        return render(request, self.template_name, {"form": NoticeCreateForm(initial=initial)})

    def post(self, request: AuthedRequest) -> HttpResponse:
        form = NoticeCreateForm(request.POST)
        status = 400
        if form.is_valid():
            try:
                notice = services_notices.notice_draft(actor=request.user, **form.cleaned_data)
            except DomainError as error:
                form.add_error(None, str(error.message))
                status = error.status_code
            else:
                messages.success(request, _("The draft was created. Review it, then issue it."))
                return redirect("risk:notice", notice_id=notice.pk)
        return render(request, self.template_name, {"form": form}, status=status)


def _edit_form(notice: WarningNotice, data: Any = None) -> NoticeEditForm:
    initial = {
        "title": notice.title,
        "document_number": notice.document_number,
        "summary": notice.summary,
        "feedback_due": notice.feedback_due,
        "seasonal_risks": list(notice.seasonal_risks.values_list("pk", flat=True)),
    }
    return NoticeEditForm(data, initial=initial)


def _notice_page(
    request: AuthedRequest,
    notice: WarningNotice,
    *,
    form: NoticeEditForm | None = None,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    user = request.user
    bureau = bool(user.scope.district_wide)
    filters = WarningFilterForm(request.GET or None)
    chosen = filters.cleaned_data if filters.is_valid() else {}
    context: dict[str, Any] = {
        "notice": notice,
        "is_draft": notice.status == NoticeStatus.DRAFT,
        "is_manager": _is_manager(request),
        "bureau": bureau,
        "levels": level_counts(notice=notice) if bureau else [],
        "error": error,
        "form": form or (_edit_form(notice) if _is_manager(request) else None),
        "filters": filters,
        "query": query_without_page(request),
    }
    if notice.status == NoticeStatus.ISSUED:
        rows = warning_list(
            user=user,
            notice=notice,
            state=chosen.get("state") or None,
            level=chosen.get("level") or None,
        )
        context["page"] = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
        context["progress"] = notice_progress(notice=notice) if bureau else None
        context["now"] = timezone.now()
    if request.htmx and notice.status == NoticeStatus.ISSUED:
        return render(request, "risk/notices/partials/_warning_table.html", context)
    return render(request, "risk/notices/notice_detail.html", context, status=status)


class NoticeDetailView(AccessMixin, View):
    """A draft in its editor (the bureau), or an issued notice with the schools' progress."""

    access = READERS

    def get(self, request: AuthedRequest, notice_id: int) -> HttpResponse:
        return _notice_page(request, _notice(request, notice_id))


class NoticeUpdateView(AccessMixin, View):
    """Save the draft's title, number, district-wide text, feedback date and seasonal risks."""

    access = MANAGERS
    http_method_names = ["post"]

    def post(self, request: AuthedRequest, notice_id: int) -> HttpResponse:
        notice = _notice(request, notice_id)
        form = _edit_form(notice, request.POST)
        if not form.is_valid():
            return _notice_page(request, notice, form=form, status=400)
        try:
            services_notices.notice_update(actor=request.user, notice=notice, **form.cleaned_data)
        except DomainError as error:
            form.add_error(None, str(error.message))
            return _notice_page(request, notice, form=form, status=error.status_code)
        messages.success(request, _("The draft was saved."))
        return redirect("risk:notice", notice_id=notice.pk)


class NoticeIssueView(AccessMixin, View):
    """Issue the draft to every active school."""

    access = MANAGERS
    http_method_names = ["post"]

    def post(self, request: AuthedRequest, notice_id: int) -> HttpResponse:
        notice = _notice(request, notice_id)
        try:
            notice = services_notices.notice_issue(actor=request.user, notice=notice)
        except DomainError as error:
            return _notice_page(request, notice, error=str(error.message), status=error.status_code)
        messages.success(request, _("The notice was issued to every school."))
        return redirect("risk:notice", notice_id=notice.pk)


def disposition(filename: str) -> str:
    """``attachment`` with the UTF-8 file name (RFC 5987), so Chinese names survive."""
    return f"attachment; filename*=UTF-8''{quote(filename, safe='')}"


def _download(data: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = disposition(filename)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


class NoticePdfView(AccessMixin, View):
    """The notice as the formal document (PDF), made on request; the read is audited."""

    access = READERS

    def get(self, request: AuthedRequest, notice_id: int) -> HttpResponse:
        notice = _notice(request, notice_id)
        data = documents.notice_pdf(notice)
        audit_record_access(actor=request.user, obj=notice, field="notice_pdf", request=request)
        return _download(data, "application/pdf", documents.notice_filename(notice, "pdf"))


DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


class NoticeDocxView(AccessMixin, View):
    """The notice as a Word document, for the bureau's own document system; audited."""

    access = READERS

    def get(self, request: AuthedRequest, notice_id: int) -> HttpResponse:
        notice = _notice(request, notice_id)
        data = documents.notice_docx(notice)
        audit_record_access(actor=request.user, obj=notice, field="notice_docx", request=request)
        return _download(data, DOCX_TYPE, documents.notice_filename(notice, "docx"))


class WarningListView(AccessMixin, View):
    """A school's inbox of warnings; the bureau's list of every school's, filtered."""

    access = READERS

    def get(self, request: AuthedRequest) -> HttpResponse:
        filters = WarningFilterForm(request.GET or None)
        chosen = filters.cleaned_data if filters.is_valid() else {}
        rows = warning_list(
            user=request.user,
            state=chosen.get("state") or None,
            level=chosen.get("level") or None,
        )
        context = {
            "filters": filters,
            "page": Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page")),
            "query": query_without_page(request),
            "bureau": bool(request.user.scope.district_wide),
            "now": timezone.now(),
        }
        if request.htmx:
            return render(request, "risk/notices/partials/_warning_inbox.html", context)
        return render(request, "risk/notices/warning_list.html", context)


def _warning_page(
    request: AuthedRequest,
    warning: SchoolWarning,
    *,
    error: str = "",
    feedback_form: FeedbackForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    deadlines = list(deadline_list(user=user, case=warning))
    for deadline in deadlines:
        deadline.display_label = deadline_label(deadline)  # type: ignore[attr-defined]
    moves = {str(move.status) for move in case_transition_list(user=user, case=warning)}
    responder = user.scope.has_role(*SCHOOL_RESPONDERS, unit_id=warning.unit_id)
    context = {
        "warning": warning,
        "notice": warning.notice,
        "events": case_timeline(user=user, case=warning),
        "deadlines": deadlines,
        "can_acknowledge": responder and SchoolWarningStatus.ACKNOWLEDGED in moves,
        "can_report": responder and SchoolWarningStatus.REPORTED in moves,
        "can_close": SchoolWarningStatus.CLOSED in moves,
        "can_reopen": warning.status == SchoolWarningStatus.REPORTED
        and SchoolWarningStatus.ACKNOWLEDGED in moves,
        "can_edit": _is_manager(request) and not warning.is_closed,
        "feedback_form": feedback_form or FeedbackForm(),
        "edit_form": WarningEditForm(
            initial={"reasons": warning.reasons, "measures_required": warning.measures_required}
        ),
        "error": error,
        "now": timezone.now(),
    }
    return render(request, "risk/notices/warning_detail.html", context, status=status)


class WarningDetailView(AccessMixin, View):
    """A school's copy of the notice: what it must do, its time limits, its timeline."""

    access = READERS

    def get(self, request: AuthedRequest, warning_id: int) -> HttpResponse:
        return _warning_page(request, _warning(request, warning_id))


def run_action(actor: Any, warning: SchoolWarning, data: dict[str, Any]) -> None:
    """Call the service behind one warning action (shared with the API)."""
    action = data["action"]
    if action == "acknowledge":
        services_notices.warning_acknowledge(actor=actor, warning=warning)
    elif action == "report":
        services_notices.warning_report(actor=actor, warning=warning, feedback=data["feedback"])
    elif action == "close":
        services_notices.warning_close(actor=actor, warning=warning, note=data.get("note") or "")
    elif action == "reopen":
        services_notices.warning_reopen(actor=actor, warning=warning, note=data.get("note") or "")
    elif action == "edit":
        services_notices.warning_update(
            actor=actor,
            warning=warning,
            reasons=data.get("reasons") or "",
            measures_required=data.get("measures_required") or "",
        )
    else:  # pragma: no cover - the form's choices stop it
        raise RiskError(_("The request was not understood."), code="bad_action")


class WarningActionView(AccessMixin, View):
    """Acknowledge, report the measures, close, ask for more, or edit a school's warning."""

    access = WARNING_ACTORS
    http_method_names = ["post"]

    def post(self, request: AuthedRequest, warning_id: int) -> HttpResponse:
        warning = _warning(request, warning_id)
        form = WarningActionForm(request.POST)
        if not form.is_valid():
            return _warning_page(
                request, warning, error=_("The request was not understood."), status=400
            )
        data = form.cleaned_data
        try:
            run_action(request.user, warning, data)
        except DomainError as error:
            feedback = FeedbackForm({"feedback": data.get("feedback") or ""})
            return _warning_page(
                request,
                _warning(request, warning_id),
                error=str(error.message),
                feedback_form=feedback if data["action"] == "report" else None,
                status=error.status_code,
            )
        messages.success(request, _("Saved."))
        return redirect("risk:school_warning", warning_id=warning.pk)
