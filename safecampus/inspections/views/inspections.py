"""The inspection pages: the list (due, overdue, in progress, submitted), a new ad hoc
inspection, the phone-first run page with its answer and photo endpoints (JSON for the
offline-tolerant script, plain form posts without it), submitting and cancelling."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from safecampus.attachments.errors import AttachmentError
from safecampus.core.access import AccessMixin
from safecampus.core.errors import DomainError
from safecampus.core.http import AuthedRequest, query_without_page
from safecampus.core.localtime import local_day
from safecampus.inspections.choices import InspectionStatus, ItemType
from safecampus.inspections.forms.inspections import (
    AnswerForm,
    CancelForm,
    InspectionFilterForm,
    InspectionNewForm,
    PhotoForm,
    SubmitForm,
)
from safecampus.inspections.models import Inspection, TemplateItem
from safecampus.inspections.permissions import (
    INSPECTION_CANCELLERS,
    INSPECTION_CREATORS,
    PERFORMERS,
    READERS,
)
from safecampus.inspections.selectors.inspections import (
    InspectionDetail,
    answer_payload,
    inspection_counts,
    inspection_detail,
    inspection_list,
)
from safecampus.inspections.services import inspections as services

PAGE_SIZE = 50


class InspectionListView(AccessMixin, View):
    """Inspections the user may see, with the header counts (the bureau's overdue badge)."""

    access = READERS

    def get(self, request: AuthedRequest) -> HttpResponse:
        form = InspectionFilterForm(request.GET or None, user=request.user)
        kwargs = form.selector_kwargs() if request.GET else {}
        inspections = inspection_list(user=request.user, **kwargs)
        page = Paginator(inspections, PAGE_SIZE).get_page(request.GET.get("page"))
        context = {
            "form": form,
            "page": page,
            "count": page.paginator.count,
            "query": query_without_page(request),
            "counts": inspection_counts(user=request.user),
            "tab": request.GET.get("tab", ""),
            "today": local_day(timezone.now()),
            "can_create": INSPECTION_CREATORS.allows(request.user),
            "S": InspectionStatus,
        }
        for inspection in page:
            inspection.may_perform = services.may_perform(request.user, inspection)  # type: ignore[attr-defined]
        if request.htmx:
            return render(request, "inspections/inspect/partials/_table.html", context)
        return render(request, "inspections/inspect/list.html", context)


class InspectionNewView(AccessMixin, View):
    """Start an unplanned inspection: the bureau for any school, a school of itself."""

    access = INSPECTION_CREATORS

    def get(self, request: AuthedRequest) -> HttpResponse:
        form = InspectionNewForm(user=request.user)
        return render(request, "inspections/inspect/new.html", {"form": form})

    def post(self, request: AuthedRequest) -> HttpResponse:
        form = InspectionNewForm(request.POST, user=request.user)
        if not form.is_valid():
            return render(request, "inspections/inspect/new.html", {"form": form}, status=400)
        try:
            inspection = services.inspection_create_adhoc(actor=request.user, **form.cleaned_data)
        except DomainError as error:
            context = {"form": form, "error": str(error.message)}
            return render(
                request, "inspections/inspect/new.html", context, status=error.status_code
            )
        return redirect("inspections:inspection", inspection_id=inspection.pk)


def _detail(request: AuthedRequest, inspection_id: int) -> InspectionDetail:
    detail = inspection_detail(user=request.user, inspection_id=inspection_id)
    if detail is None:
        raise Http404
    return detail


def _inspection(request: AuthedRequest, inspection_id: int) -> Inspection:
    inspection = (
        Inspection.objects.visible_to(request.user)
        .select_related("version", "school")
        .filter(pk=inspection_id)
        .first()
    )
    if inspection is None:
        raise Http404
    return inspection


def _runnable(request: AuthedRequest, inspection: Inspection) -> bool:
    return inspection.status in services.OPEN_STATUSES and services.may_perform(
        request.user, inspection
    )


def _page(
    request: AuthedRequest,
    inspection_id: int,
    *,
    error: str = "",
    cancel_form: CancelForm | None = None,
    status: int = 200,
) -> HttpResponse:
    detail = _detail(request, inspection_id)
    inspection = detail.inspection
    notices = {h.rectification for h in detail.hazards if h.rectification is not None}
    context: dict[str, Any] = {
        "detail": detail,
        "inspection": inspection,
        "notices": sorted(notices, key=lambda n: n.pk),
        "S": InspectionStatus,
        "T": ItemType,
        "can_cancel": INSPECTION_CANCELLERS.allows(request.user)
        and inspection.status in services.OPEN_STATUSES,
        "cancel_form": cancel_form or CancelForm(),
        "error": error,
    }
    if _runnable(request, inspection):
        return render(request, "inspections/inspect/run.html", context, status=status)
    return render(request, "inspections/inspect/result.html", context, status=status)


class InspectionDetailView(AccessMixin, View):
    """A submitted inspection's result; the run page for one the user may perform now."""

    access = READERS

    def get(self, request: AuthedRequest, inspection_id: int) -> HttpResponse:
        return _page(request, inspection_id)


def _wants_json(request: AuthedRequest) -> bool:
    accept = request.headers.get("Accept", "")
    return "application/json" in accept or request.headers.get("X-Requested-With") == "fetch"


def _item(inspection: Inspection, code: str) -> TemplateItem:
    item = TemplateItem.objects.filter(version_id=inspection.version_id, code=code).first()
    if item is None:
        raise Http404
    return item


def _refused(request: AuthedRequest, inspection: Inspection, message: str, status: int) -> Any:
    if _wants_json(request):
        return JsonResponse({"detail": message}, status=status)
    return _page(request, inspection.pk, error=message, status=status)


class AnswerSaveView(AccessMixin, View):
    """Save one item's answer (the run page's script posts every change; JSON back)."""

    access = PERFORMERS
    http_method_names = ["post"]

    def post(self, request: AuthedRequest, inspection_id: int) -> HttpResponse:
        inspection = _inspection(request, inspection_id)
        form = AnswerForm(request.POST)
        if not form.is_valid():
            return _refused(request, inspection, _("The answer was not understood."), 400)
        item = _item(inspection, form.cleaned_data["item"])
        try:
            answer = services.answer_save(
                actor=request.user, inspection=inspection, item=item, **form.values()
            )
        except DomainError as error:
            return _refused(request, inspection, str(error.message), error.status_code)
        if not _wants_json(request):
            messages.success(request, _("Saved."))
            url = reverse("inspections:inspection", args=[inspection.pk])
            return redirect(f"{url}#item-{item.code}")
        return JsonResponse(
            {
                "answer": answer_payload(answer, item),
                "lock_version": inspection.lock_version,
                "status": inspection.status,
            }
        )


class AnswerPhotoView(AccessMixin, View):
    """Upload a photo for one item, straight from the phone's camera."""

    access = PERFORMERS
    http_method_names = ["post"]

    def post(self, request: AuthedRequest, inspection_id: int) -> HttpResponse:
        inspection = _inspection(request, inspection_id)
        form = PhotoForm(request.POST, request.FILES)
        if not form.is_valid():
            return _refused(request, inspection, _("Choose a photo to upload."), 400)
        item = _item(inspection, form.cleaned_data["item"])
        try:
            photo = services.answer_photo_add(
                actor=request.user,
                inspection=inspection,
                item=item,
                uploaded_file=form.cleaned_data["photo"],
            )
        except (DomainError, AttachmentError) as error:
            status = getattr(error, "status_code", 400)
            return _refused(request, inspection, str(error.message), status)
        if not _wants_json(request):
            messages.success(request, _("The photo was added."))
            url = reverse("inspections:inspection", args=[inspection.pk])
            return redirect(f"{url}#item-{item.code}")
        return JsonResponse(
            {
                "photo": {
                    "id": str(photo.pk),
                    "url": reverse("attachments:download", args=[photo.pk]),
                    "delete_url": reverse(
                        "inspections:answer_photo_delete", args=[inspection.pk, photo.pk]
                    ),
                    "name": photo.download_name,
                },
                "item": item.code,
                "lock_version": inspection.lock_version,
            }
        )


class AnswerPhotoDeleteView(AccessMixin, View):
    access = PERFORMERS
    http_method_names = ["post"]

    def post(self, request: AuthedRequest, inspection_id: int, attachment_id: Any) -> HttpResponse:
        inspection = _inspection(request, inspection_id)
        try:
            services.answer_photo_delete(
                actor=request.user, inspection=inspection, attachment_id=attachment_id
            )
        except DomainError as error:
            return _refused(request, inspection, str(error.message), error.status_code)
        if _wants_json(request):
            return JsonResponse(
                {"deleted": str(attachment_id), "lock_version": inspection.lock_version}
            )
        messages.success(request, _("The photo was removed."))
        return redirect("inspections:inspection", inspection_id=inspection.pk)


def _submit_page(
    request: AuthedRequest,
    inspection_id: int,
    *,
    form: SubmitForm | None = None,
    error: str = "",
    problems: list[tuple[str, str, str]] | None = None,
    status: int = 200,
) -> HttpResponse:
    detail = _detail(request, inspection_id)
    inspection = detail.inspection
    if problems is None:
        problems = services.submission_problems(services.load_sheet(inspection))
    context = {
        "detail": detail,
        "inspection": inspection,
        "form": form or SubmitForm(initial={"version": inspection.lock_version}),
        "problems": problems,
        "error": error,
    }
    return render(request, "inspections/inspect/submit.html", context, status=status)


class InspectionSubmitView(AccessMixin, View):
    """Review what is still missing, then submit; a refusal lists the items again (400)."""

    access = PERFORMERS

    def _check(self, request: AuthedRequest, inspection_id: int) -> Inspection | HttpResponse:
        inspection = _inspection(request, inspection_id)
        if inspection.status not in services.OPEN_STATUSES:
            return redirect("inspections:inspection", inspection_id=inspection.pk)
        if not services.may_perform(request.user, inspection):
            raise Http404
        return inspection

    def get(self, request: AuthedRequest, inspection_id: int) -> HttpResponse:
        checked = self._check(request, inspection_id)
        if isinstance(checked, HttpResponse):
            return checked
        return _submit_page(request, inspection_id)

    def post(self, request: AuthedRequest, inspection_id: int) -> HttpResponse:
        inspection = _inspection(request, inspection_id)
        form = SubmitForm(request.POST)
        if not form.is_valid():
            return _submit_page(request, inspection_id, form=form, status=400)
        try:
            services.inspection_submit(
                actor=request.user,
                inspection=inspection,
                summary=form.cleaned_data["summary"],
                expected_version=form.cleaned_data.get("version"),
            )
        except services.InspectionIncomplete as error:
            return _submit_page(
                request, inspection_id, form=form, problems=error.problems, status=400
            )
        except DomainError as error:
            return _submit_page(
                request,
                inspection_id,
                form=form,
                error=str(error.message),
                status=error.status_code,
            )
        messages.success(request, _("The inspection was submitted."))
        return redirect("inspections:inspection", inspection_id=inspection.pk)


class InspectionCancelView(AccessMixin, View):
    """The bureau safety officer cancels an open inspection, with a reason."""

    access = INSPECTION_CANCELLERS
    http_method_names = ["post"]

    def post(self, request: AuthedRequest, inspection_id: int) -> HttpResponse:
        inspection = _inspection(request, inspection_id)
        form = CancelForm(request.POST)
        if not form.is_valid():
            return _page(request, inspection.pk, cancel_form=form, status=400)
        try:
            services.inspection_cancel(
                actor=request.user, inspection=inspection, reason=form.cleaned_data["reason"]
            )
        except DomainError as error:
            return _page(request, inspection.pk, error=str(error.message), status=error.status_code)
        messages.success(request, _("The inspection was cancelled."))
        return redirect("inspections:inspection", inspection_id=inspection.pk)
