"""The live alert console (guard room: its school; bureau: every school), an alert's page,
the searchable history with its CSV export, and the moves on an alert.

The console is rendered once, then follows ``/stream/alerts`` (see ``live``): each event
makes the page fetch the changed rows from ``ConsoleFeedView``, in the reader's language.
When the stream cannot be reached, the page polls the same feed every few seconds.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Max
from django.http import (
    Http404,
    HttpResponse,
    HttpResponseRedirect,
    JsonResponse,
    StreamingHttpResponse,
)
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from safecampus.attachments.selectors import attachment_list
from safecampus.audit.services import audit_record
from safecampus.core.access import Access, AccessMixin
from safecampus.core.csv_export import csv_lines
from safecampus.core.errors import DomainError
from safecampus.core.http import AuthedRequest, query_without_page
from safecampus.organizations.models import Unit
from safecampus.security.choices import AlertStatus, Priority
from safecampus.security.forms.alerts import (
    ACTIONS,
    AlertFilterForm,
    DisposeForm,
    NoteForm,
    parse_cursor,
    run_action,
    school_choices,
)
from safecampus.security.live import LOOKBACK, STREAM_PATH
from safecampus.security.models import Alert
from safecampus.security.selectors.alerts import (
    LIVE_STATES,
    alert_changes,
    alert_events,
    alert_get,
    alert_list,
    alert_pictures,
    alert_school_ids,
    console_alerts,
)
from safecampus.security.selectors.devices import device_points
from safecampus.security.services import alerts as services

READERS = Access.for_roles(services.ALERT_READER_ROLES)
ACTORS = Access.for_roles(services.ALERT_ACTOR_ROLES)
CONSOLE_SIZE = 100
FEED_SIZE = 100
#: A high or critical alert sounds; the colour follows the priority.
SOUND_FROM = Priority.HIGH


def level(priority: int) -> int:
    """The shell's colour level (1 = red … 4 = blue) of an alert priority."""
    levels: dict[int, int] = {Priority.CRITICAL: 1, Priority.HIGH: 2, Priority.MEDIUM: 3}
    return levels.get(priority, 4)


def stream_url() -> str:
    """Where the console's EventSource connects: the stream process's alerts route."""
    if settings.STREAM_URL:
        return settings.STREAM_URL.rsplit("/", 1)[0] + "/alerts"
    return STREAM_PATH


def _school_filter(request: AuthedRequest) -> int | None:
    raw = request.GET.get("school", "")
    if not (raw.isascii() and raw.isdigit()):
        return None
    schools = alert_school_ids(request.user)
    pk = int(raw)
    return pk if schools is None or pk in schools else None


def _priority_min(request: AuthedRequest, *, district: bool) -> int | None:
    """The console's priority floor: ``?priority=all`` or a priority value; by default the
    bureau's district console shows high and above (every school's low-priority line
    crossings would bury the emergencies), a guard room everything of its school."""
    raw = request.GET.get("priority", "")
    if raw == "all":
        return None
    if raw.isascii() and raw.isdigit() and int(raw) in Priority.values:
        return int(raw)
    return Priority.HIGH if district else None


def _rows(request: AuthedRequest, alerts: list[Alert]) -> list[dict[str, Any]]:
    pictures = alert_pictures(alerts)
    return [
        {
            "alert": alert,
            "picture": pictures.get(alert.pk),
            "level": level(alert.priority),
            "may_act": services.may_act(request.user, alert),
            "version": alert.updated_at.isoformat(),
        }
        for alert in alerts
    ]


def _row_html(request: AuthedRequest, row: dict[str, Any], **extra: Any) -> str:
    context = {**row, "dispose_form": DisposeForm(auto_id=False), **extra}
    context["note_form"] = NoteForm(auto_id=False)
    return render_to_string("security/partials/_alert_row.html", context, request=request)


def _map_data(request: AuthedRequest, school: int | None) -> dict[str, Any]:
    """The district's schools on the map, each coloured by its gravest live alert; while a
    high or critical alert waits to be acknowledged, the map looks at its school first, with
    that school's devices (the alerting one marked)."""
    ids = alert_school_ids(request.user)
    units = Unit.objects.schools().filter(is_active=True, latitude__isnull=False)
    if ids is not None:
        units = units.filter(pk__in=ids)
    live = alert_list(user=request.user, status=list(LIVE_STATES))
    summary = live.order_by().values("school_id").annotate(p=Max("priority"), n=Count("id"))
    gravest = {row["school_id"]: (row["p"], row["n"]) for row in summary}
    markers = []
    console = reverse("security:console")
    for unit in units.only("pk", "name", "latitude", "longitude"):
        top, count = gravest.get(unit.pk, (None, 0))
        markers.append(
            {
                "lat": float(unit.latitude or 0),
                "lng": float(unit.longitude or 0),
                "label": unit.name,
                "kind": "school",
                "level": level(top) if top is not None else 4,
                "radius": 11 if top is not None else 6,
                "detail": _("Live alerts: %(n)s") % {"n": count} if count else "",
                "url": f"{console}?school={unit.pk}" if ids is None else "",
            }
        )
    data: dict[str, Any] = {"markers": markers}
    urgent = console_alerts(user=request.user, school=school, priority_min=SOUND_FROM)
    alerting = urgent.filter(status=AlertStatus.OPEN).first()
    if alerting is not None:
        _focus_on(request, data, alerting)
    return data


def _focus_on(request: AuthedRequest, data: dict[str, Any], alert: Alert) -> None:
    """Add ``alert``'s school and its located devices to the map data as the place to look."""
    devices = [
        {
            "lat": float(device.latitude or 0),
            "lng": float(device.longitude or 0),
            "label": f"{device.name} · {device.get_kind_display()}",
            "kind": "device",
            "level": level(alert.priority) if device.pk == alert.device_id else 4,
            "radius": 9 if device.pk == alert.device_id else 6,
            "highlight": device.pk == alert.device_id,
            "detail": device.zone,
            "url": reverse("security_devices:device_detail", args=[device.pk]),
        }
        for device in device_points(user=request.user, school=alert.school)
    ]
    points = [[d["lat"], d["lng"]] for d in devices]
    if alert.school.latitude is not None and alert.school.longitude is not None:
        points.append([float(alert.school.latitude), float(alert.school.longitude)])
    if not points:
        return
    data["markers"] += devices
    data["focus"] = {"key": f"alert-{alert.pk}", "points": points, "zoom": 17}
    data["whole"] = _("Show whole district")


class ConsoleView(AccessMixin, View):
    """The live console: newest live alerts on top, the map, and the moves."""

    access = READERS

    def get(self, request: AuthedRequest) -> HttpResponse:
        school = _school_filter(request)
        district = alert_school_ids(request.user) is None
        floor = _priority_min(request, district=district)
        alerts = list(
            console_alerts(user=request.user, school=school, priority_min=floor)[:CONSOLE_SIZE]
        )
        context = {
            "rows": [_row_html(request, row) for row in _rows(request, alerts)],
            "school": school,
            "schools": school_choices(request.user) if district else [],
            "district": district,
            "priority_min": floor,
            "priority_choices": [
                (str(Priority.HIGH.value), _("High and critical")),
                (str(Priority.MEDIUM.value), _("Medium and above")),
                ("all", _("All priorities")),
            ],
            "waiting_urgent": sum(
                1 for a in alerts if a.status == AlertStatus.OPEN and a.priority >= SOUND_FROM
            ),
            "map": _map_data(request, school),
            "cursor": (timezone.now() - LOOKBACK).isoformat(),
            # Like the shell's notification stream: only where a stream process is configured.
            "alert_stream_url": stream_url() if settings.STREAM_URL else "",
            "feed_url": reverse("security:console_feed"),
            "map_url": reverse("security:console_map"),
            "i18n": {
                "mute": _("Mute"),
                "unmute": _("Sound on"),
                "live": _("Live"),
                "polling": _("Refreshing every few seconds"),
                "new_alert": _("New alert"),
                # %(n)s: how many high or critical alerts nobody has acknowledged yet.
                "waiting": _("High or critical alerts waiting to be acknowledged: %(n)s"),
            },
        }
        return render(request, "security/console.html", context)


class ConsoleFeedView(AccessMixin, View):
    """The rows that changed after ``since`` (or the rows ``ids``), rendered, as JSON:
    ``{"cursor", "rows": [{"id", "version", "priority", "live", "html"}]}``."""

    access = READERS

    def get(self, request: AuthedRequest) -> JsonResponse:
        school = _school_filter(request)
        now = timezone.now()
        raw_ids = request.GET.get("ids", "").split(",")
        ids = [int(v) for v in raw_ids if v.isascii() and v.isdigit()][:FEED_SIZE]
        if ids:
            changed = alert_list(user=request.user, school=school).filter(pk__in=ids)
        else:
            since = parse_cursor(request.GET.get("since")) or now - LOOKBACK
            changed = alert_changes(user=request.user, after=since, school=school)
        alerts = list(changed.order_by("updated_at", "id")[:FEED_SIZE])
        rows = [
            {
                "id": row["alert"].pk,
                "version": row["version"],
                "priority": row["alert"].priority,
                "sound": row["alert"].priority >= SOUND_FROM,
                "live": row["alert"].status in LIVE_STATES,
                "school": row["alert"].school_id,
                "html": _row_html(request, row),
            }
            for row in _rows(request, alerts)
        ]
        # Rows commit out of stamp order: the next poll looks back, the page skips repeats.
        cursor = (now - LOOKBACK).isoformat()
        response = JsonResponse({"cursor": cursor, "rows": rows})
        response["Cache-Control"] = "no-store"
        return response


class ConsoleMapView(AccessMixin, View):
    """The map fragment, re-fetched when the set of alerting schools changes."""

    access = READERS

    def get(self, request: AuthedRequest) -> HttpResponse:
        context = {"map": _map_data(request, _school_filter(request))}
        return render(request, "security/partials/_console_map.html", context)


class AlertDetailView(AccessMixin, View):
    access = READERS

    def get(self, request: AuthedRequest, alert_id: int) -> HttpResponse:
        alert = alert_get(user=request.user, pk=alert_id)
        if alert is None:
            raise Http404
        row = _rows(request, [alert])[0]
        events = alert_events(alert=alert)
        pictures = [
            (event, picture)
            for event in events[:10]
            for picture in attachment_list(user=request.user, owner=event)
        ]
        context = {
            **row,
            "events": events,
            "pictures": pictures,
            "dispose_form": DisposeForm(),
            "note_form": NoteForm(),
        }
        return render(request, "security/alert_detail.html", context)


class AlertActionView(AccessMixin, View):
    """One move; the console (htmx) gets the alert's row back, a page is redirected."""

    access = ACTORS

    def post(self, request: AuthedRequest, alert_id: int, action: str) -> HttpResponse:
        alert = alert_get(user=request.user, pk=alert_id)
        if alert is None or action not in ACTIONS:
            raise Http404
        error = ""
        try:
            alert = run_action(request.user, alert, action, request.POST)
        except DomainError as refused:
            error = str(refused.message)
        if request.htmx:
            # Read again: a refused move leaves the alert as another user may just have
            # changed it, and the row sent back replaces the one on the console.
            fresh = alert_get(user=request.user, pk=alert_id) or alert
            return HttpResponse(_row_html(request, _rows(request, [fresh])[0], error=error))
        if error:
            messages.error(request, error)
        else:
            messages.success(request, _("Done."))
        return redirect("security:alert_detail", alert_id=alert_id)


class AlertHistoryView(AccessMixin, View):
    """Every alert in scope, filtered, 50 a page."""

    access = READERS

    def get(self, request: AuthedRequest) -> HttpResponse:
        form = AlertFilterForm(request.GET or None, user=request.user)
        alerts = alert_list(user=request.user, **form.filters())
        page = Paginator(alerts, 50).get_page(request.GET.get("page"))
        context = {"form": form, "page": page, "query": query_without_page(request)}
        template = (
            "security/partials/_history_table.html" if request.htmx else "security/alert_list.html"
        )
        return render(request, template, context, status=400 if form.errors else 200)


class AlertExportView(AccessMixin, View):
    """The filtered history as CSV (UTF-8 with BOM for Excel), streamed; audited."""

    access = READERS

    def get(self, request: AuthedRequest) -> StreamingHttpResponse:
        form = AlertFilterForm(request.GET or None, user=request.user)
        alerts = alert_list(user=request.user, **form.filters())
        audit_record(
            actor=request.user,
            action="security.alert.exported",
            request=request,
            changes={"filters": request.GET.dict()},
        )
        header = [
            _("ID"), _("School"), _("Device"), _("Zone"), _("Type"), _("Priority"), _("Status"),
            _("Outcome"), _("Events"), _("First seen"), _("Last seen"), _("Acknowledged at"),
            _("Disposed at"), _("Escalated at"), _("Police help requested at"), _("Note"),
        ]  # fmt: skip

        def when(moment: Any) -> str:
            return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M:%S") if moment else ""

        def rows() -> Iterator[tuple[Any, ...]]:
            for a in alerts.iterator(chunk_size=2000):
                yield (
                    a.pk, a.school.name, a.device.name if a.device else "", a.zone,
                    a.get_event_type_display(), a.get_priority_display(),
                    a.get_status_display(), a.get_outcome_display() if a.outcome else "",
                    a.count, when(a.first_seen_at), when(a.last_seen_at),
                    when(a.acknowledged_at), when(a.disposed_at), when(a.escalated_at),
                    when(a.help_requested_at), a.note,
                )  # fmt: skip

        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        response = StreamingHttpResponse(
            csv_lines(header, rows()), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="alerts-{stamp}.csv"'
        return response


class AlertStreamAliasView(AccessMixin, View):
    """``/alerts/stream/``: the alert stream's stable address for programs. The stream
    process serves it (a proxy may route ``/alerts/stream/`` there directly); reaching the
    pages' server instead, an event-stream client (``Accept: text/event-stream``, as
    EventSource sends) is redirected there, anyone else told where it is."""

    access = READERS

    def get(self, request: AuthedRequest) -> HttpResponse:
        if "text/event-stream" in request.headers.get("Accept", ""):
            response = HttpResponseRedirect(stream_url())
            response.status_code = 307  # keep the method; EventSource follows it
            return response
        detail = _("Server-Sent Events: request this address with Accept: text/event-stream.")
        return JsonResponse({"stream": stream_url(), "detail": detail})
