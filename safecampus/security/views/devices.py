"""The device registry pages (设备台账): devices per school with their liveness, registering
one or many (a secret is shown once, never in a URL, never cached), rotating a secret,
switching a device on or off; the event history with its CSV export; alert statistics."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from datetime import datetime
from typing import Any
from urllib.parse import quote

from django import forms
from django.contrib import messages
from django.contrib.contenttypes.models import ContentType
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from safecampus.attachments.models import Attachment
from safecampus.audit.services import audit_record
from safecampus.core.access import Access, AccessMixin
from safecampus.core.csv_export import csv_lines
from safecampus.core.errors import DomainError
from safecampus.core.excel import XLSX_MIME
from safecampus.core.forms import BootstrapFormMixin
from safecampus.core.http import AuthedRequest, query_without_page
from safecampus.core.localtime import CHINA_TZ
from safecampus.security.forms.devices import (
    DeviceFilterForm,
    DeviceRegisterForm,
    EventFilterForm,
    StatsFilterForm,
)
from safecampus.security.models import Device, DeviceEvent
from safecampus.security.permissions import DEVICE_ADMIN_ROLES, DEVICE_READER_ROLES
from safecampus.security.selectors.devices import (
    device_get,
    device_list,
    event_list,
    manageable_schools,
    online_share,
    school_liveness,
)
from safecampus.security.selectors.stats import alert_statistics
from safecampus.security.services.devices import (
    device_register,
    device_rotate_secret,
    device_set_enabled,
)
from safecampus.security.services.imports import (
    COLUMNS,
    MAX_DEVICE_ROWS,
    MAX_IMPORT_BYTES,
    DeviceImportRejected,
    device_import_template,
    device_import_workbook,
)

READERS = Access.for_roles(DEVICE_READER_ROLES)
MANAGERS = Access.for_roles(DEVICE_ADMIN_ROLES)
PAGE_SIZE = 50
RECENT_EVENTS = 20
#: A CSV export stops here; narrow the filters for more.
EXPORT_MAX_ROWS = 100_000


def _no_store(response: HttpResponse) -> HttpResponse:
    """A page with a device secret: kept by no cache, proxy or browser history."""
    response["Cache-Control"] = "no-store, private"
    response["Pragma"] = "no-cache"
    return response


def _disposition(filename: str) -> str:
    return f"attachment; filename*=UTF-8''{quote(filename, safe='')}"


def _may_manage(user: Any) -> bool:
    return MANAGERS.allows(user) and manageable_schools(user).exists()


# --- the registry -----------------------------------------------------------------------


def _map(devices: list[Device]) -> dict[str, Any]:
    markers = [
        {
            "lat": float(d.latitude),
            "lng": float(d.longitude),
            "label": f"{d.code} {d.name}",
            "detail": str(_("Online") if d.is_online else _("Offline")),  # type: ignore[attr-defined]
            "level": 4 if d.is_online else 1,  # type: ignore[attr-defined]
            "url": reverse("security_devices:device_detail", args=[d.pk]),
        }
        for d in devices
        if d.latitude is not None and d.longitude is not None
    ]
    return {"markers": markers}


class DeviceListView(AccessMixin, View):
    """Each school's devices with the online share and when they last spoke, filtered, and
    the devices themselves, listed and on the map."""

    access = READERS

    def get(self, request: AuthedRequest) -> HttpResponse:
        now = timezone.now()
        form = DeviceFilterForm(request.GET or None, user=request.user)
        filters = form.cleaned_data if form.is_valid() else {}
        devices = device_list(
            user=request.user,
            now=now,
            **{k: v for k, v in filters.items() if v not in ("", None)},
        )
        page = Paginator(devices, PAGE_SIZE).get_page(request.GET.get("page"))
        schools = list(school_liveness(devices=devices, now=now)[:PAGE_SIZE])
        for row in schools:
            row["share"] = online_share(row["online"], row["enabled_count"])
        totals = {
            "total": sum(r["total"] for r in schools),
            "online": sum(r["online"] for r in schools),
            "enabled": sum(r["enabled_count"] for r in schools),
        }
        totals["share"] = online_share(totals["online"], totals["enabled"])
        context = {
            "form": form,
            "page": page,
            "query": query_without_page(request),
            "schools": schools,
            "more_schools": len(schools) == PAGE_SIZE,
            "totals": totals,
            "map": _map(list(page.object_list)),
            "can_manage": _may_manage(request.user),
        }
        return render(request, "security/devices/device_list.html", context)


def _device(request: AuthedRequest, pk: int) -> Device:
    device = device_get(user=request.user, pk=pk)
    if device is None:
        raise Http404
    return device


def _pictures(events: list[DeviceEvent]) -> dict[str, list[Attachment]]:
    """The pictures of ``events`` by event id, in one query (the events were read through
    ``visible_to``, so their attachments are the user's to see)."""
    kind = ContentType.objects.get_for_model(DeviceEvent)
    found: dict[str, list[Attachment]] = {}
    rows = Attachment.objects.filter(owner_type=kind, owner_id__in=[str(e.pk) for e in events])
    for attachment in rows.order_by("created_at"):
        found.setdefault(attachment.owner_id, []).append(attachment)
    return found


class DeviceDetailView(AccessMixin, View):
    """One device: its facts, liveness, the recent events with their pictures, and the
    actions on it for those who manage the school's devices."""

    access = READERS

    def get(self, request: AuthedRequest, device_id: int) -> HttpResponse:
        device = _device(request, device_id)
        events = list(
            device.events.select_related("alert").order_by("-occurred_at")[:RECENT_EVENTS]
        )
        pictures = _pictures(events)
        for event in events:
            event.pictures = pictures.get(str(event.pk), [])  # type: ignore[attr-defined]
        context = {
            "device": device,
            "events": events,
            "map": _map([device]),
            "can_manage": manageable_schools(request.user).filter(pk=device.school_id).exists(),
            "events_url": reverse("security_devices:event_list") + f"?device={quote(device.code)}",
        }
        return render(request, "security/devices/device_detail.html", context)


def _secret_page(
    request: AuthedRequest, devices: list[tuple[Device, str]], *, title: str, status: int = 200
) -> HttpResponse:
    moment = timezone.localtime(timezone.now(), CHINA_TZ)
    context = {
        "title": title,
        "devices": devices,
        "ingest_url": request.build_absolute_uri(reverse("api:ingest_events")),
        "filename": f"device-secrets-{moment:%Y%m%d-%H%M}.txt",
    }
    return _no_store(render(request, "security/devices/secrets.html", context, status=status))


class DeviceRegisterView(AccessMixin, View):
    """Register a device of a school the user manages; the answer shows its secret once."""

    access = MANAGERS

    def _form_page(self, request: AuthedRequest, form: Any, status: int = 200) -> HttpResponse:
        context = {"form": form, "pick_map": {"markers": []}}
        return render(request, "security/devices/device_form.html", context, status=status)

    def get(self, request: AuthedRequest) -> HttpResponse:
        return self._form_page(request, DeviceRegisterForm(user=request.user))

    def post(self, request: AuthedRequest) -> HttpResponse:
        form = DeviceRegisterForm(request.POST, user=request.user)
        if not form.is_valid():
            return self._form_page(request, form, status=400)
        try:
            device, secret = device_register(actor=request.user, **form.cleaned_data)
        except DomainError as error:
            form.add_error(None, str(error.message))
            return self._form_page(request, form, status=error.status_code)
        # Rendered, not redirected: the secret must not travel in a URL or be kept anywhere.
        return _secret_page(request, [(device, secret)], title=_("Device registered"))


class DeviceRotateView(AccessMixin, View):
    """Give the device a new secret, shown once; the old one stops working at once."""

    access = MANAGERS
    http_method_names = ["post"]

    def post(self, request: AuthedRequest, device_id: int) -> HttpResponse:
        device = _device(request, device_id)
        try:
            secret = device_rotate_secret(actor=request.user, device=device)
        except DomainError as error:
            return HttpResponse(str(error.message), status=error.status_code)
        return _secret_page(request, [(device, secret)], title=_("New secret"))


class DeviceEnabledView(AccessMixin, View):
    """Switch a device on or off (a disabled device is refused and never counts as offline)."""

    access = MANAGERS
    http_method_names = ["post"]

    def post(self, request: AuthedRequest, device_id: int) -> HttpResponse:
        device = _device(request, device_id)
        enabled = request.POST.get("enabled") == "1"
        try:
            device_set_enabled(actor=request.user, device=device, enabled=enabled)
        except DomainError as error:
            return HttpResponse(str(error.message), status=error.status_code)
        messages.success(
            request, _("The device is enabled.") if enabled else _("The device is disabled.")
        )
        return redirect("security_devices:device_detail", device_id=device.pk)


# --- import ---------------------------------------------------------------------------


class DeviceImportForm(BootstrapFormMixin, forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Filled-in template (.xlsx)"),
        widget=forms.ClearableFileInput(attrs={"accept": f".xlsx,{XLSX_MIME}"}),
    )


class DeviceImportTemplateView(AccessMixin, View):
    """The workbook to fill in, listing the schools the user may register devices for."""

    access = MANAGERS

    def get(self, request: AuthedRequest) -> FileResponse:
        out = tempfile.TemporaryFile()  # noqa: SIM115  (the response closes it once sent)
        device_import_template(out, schools=manageable_schools(request.user))
        out.seek(0)
        response = FileResponse(out, content_type=XLSX_MIME)
        response["Content-Disposition"] = _disposition(_("Device import template") + ".xlsx")
        response["X-Content-Type-Options"] = "nosniff"
        return response


class DeviceImportView(AccessMixin, View):
    """Upload a filled-in template: every device is registered, or none and every error is
    listed; the answer lists each code with its secret, once."""

    access = MANAGERS

    def _page(
        self, request: AuthedRequest, form: Any, *, status: int = 200, **extra: Any
    ) -> HttpResponse:
        context = {
            "form": form,
            "columns": COLUMNS,
            "max_rows": MAX_DEVICE_ROWS,
            "max_bytes": MAX_IMPORT_BYTES,
            **extra,
        }
        return render(request, "security/devices/device_import.html", context, status=status)

    def get(self, request: AuthedRequest) -> HttpResponse:
        return self._page(request, DeviceImportForm())

    def post(self, request: AuthedRequest) -> HttpResponse:
        form = DeviceImportForm(request.POST, request.FILES)
        if not form.is_valid():
            return self._page(request, form, status=400)
        upload = form.cleaned_data["file"]
        try:
            created = device_import_workbook(actor=request.user, upload=upload, size=upload.size)
        except DeviceImportRejected as rejected:
            return self._page(
                request, form, error=rejected.message, row_errors=rejected.errors, status=400
            )
        except DomainError as error:
            return self._page(request, form, error=error.message, status=error.status_code)
        return _secret_page(request, created, title=_("Devices registered"))


# --- event history ----------------------------------------------------------------------


def _event_filters(form: EventFilterForm) -> dict[str, Any]:
    if not form.is_valid():
        return {}
    return {k: v for k, v in form.cleaned_data.items() if v not in ("", None)}


class EventListView(AccessMixin, View):
    """The events of the devices the user may see, newest first, filtered."""

    access = READERS

    def get(self, request: AuthedRequest) -> HttpResponse:
        form = EventFilterForm(request.GET or None, user=request.user)
        events = event_list(user=request.user, **_event_filters(form))
        page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
        context = {"form": form, "page": page, "query": query_without_page(request)}
        return render(request, "security/devices/event_list.html", context)


def _local(moment: datetime | None) -> str:
    return f"{timezone.localtime(moment, CHINA_TZ):%Y-%m-%d %H:%M:%S}" if moment else ""


def _csv_rows(events: Any) -> Iterator[str]:
    header = [
        _("Occurred at (Beijing time)"),
        _("Received at (Beijing time)"),
        _("School code"),
        _("School"),
        _("Device code"),
        _("Device"),
        _("Type"),
        _("Zone"),
        _("Subject"),
        _("Confidence"),
        _("Late"),
        _("Event id"),
        _("Alert"),
    ]
    labels = dict(DeviceEvent._meta.get_field("type").choices or [])
    rows = (
        (
            _local(e.occurred_at),
            _local(e.received_at),
            e.school.code,
            e.school.name,
            e.device.code,
            e.device.name,
            labels.get(e.type, e.type),
            e.zone,
            e.subject,
            "" if e.confidence is None else f"{e.confidence:.2f}",
            _("Yes") if e.late else _("No"),
            e.event_id,
            e.alert_id or "",
        )
        # Streamed in chunks: an export of 100,000 rows is never held in memory.
        for e in events.iterator(chunk_size=2000)
    )
    return csv_lines(header, rows)


class EventExportView(AccessMixin, View):
    """The event history, with the page's filters, as CSV (at most 100,000 rows)."""

    access = READERS

    def get(self, request: AuthedRequest) -> StreamingHttpResponse:
        form = EventFilterForm(request.GET or None, user=request.user)
        filters = _event_filters(form)
        events = event_list(user=request.user, **filters)[:EXPORT_MAX_ROWS]
        # Events carry plates, card numbers and face-library ids: who took them out is kept.
        audit_record(
            actor=request.user,
            action="security.deviceevent.exported",
            object_type=DeviceEvent._meta.label_lower,
            request=request,
            changes={"filters": {k: str(v) for k, v in filters.items()}},
        )
        day = timezone.localtime(timezone.now(), CHINA_TZ).date().isoformat()
        response = StreamingHttpResponse(_csv_rows(events), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = _disposition(_("Device events") + f"-{day}.csv")
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = "private, no-store"
        return response


# --- statistics -------------------------------------------------------------------------


def stats_charts(stats: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """ECharts options for the page's charts, keyed by the id of their JSON block."""
    grid = {"containLabel": True, "left": 8, "right": 16, "top": 16, "bottom": 8}
    return {
        "chart-alert-type": {
            "tooltip": {"trigger": "axis"},
            "grid": grid,
            "xAxis": {"type": "value", "minInterval": 1},
            "yAxis": {
                "type": "category",
                "inverse": True,
                "data": [cell["label"] for cell in stats["by_type"]],
            },
            "series": [{"type": "bar", "data": [cell["count"] for cell in stats["by_type"]]}],
        },
        "chart-alert-hour": {
            "tooltip": {"trigger": "axis"},
            "grid": grid,
            "xAxis": {"type": "category", "data": [f"{h:02d}" for h in range(24)]},
            "yAxis": {"type": "value", "minInterval": 1},
            "series": [{"type": "bar", "data": stats["by_hour"]}],
        },
    }


class AlertStatsView(AccessMixin, View):
    """Alert figures per school: by type and hour of day, false-alarm rate, time to
    acknowledge (the inputs of the monthly risk grading)."""

    access = READERS

    def get(self, request: AuthedRequest) -> HttpResponse:
        form = StatsFilterForm(request.GET or None, user=request.user)
        period = form.cleaned_data if form.is_valid() else {}
        stats = alert_statistics(
            user=request.user,
            school=period.get("school"),
            date_from=period.get("date_from"),
            date_to=period.get("date_to"),
        )
        hours = [{"hour": f"{h:02d}:00", "count": n} for h, n in enumerate(stats["by_hour"])]
        context = {
            "form": form,
            "stats": stats,
            "hours": hours,
            "charts": stats_charts(stats),
        }
        return render(request, "security/devices/stats.html", context)
