"""The public portal pages: /report/ (submit) and /report/status/ (return with the receipt).

No login, no session writes, no messages framework (it would set a cookie): only the
CSRF cookie the forms need. Receipts travel in POST bodies only, never in URLs. The
client address is turned into an opaque throttle key here and goes no further.
"""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views import View

from safecampus.core.access import Access, AccessMixin
from safecampus.core.errors import DomainError
from safecampus.leads.challenge import ChallengeError
from safecampus.leads.choices import Urgency
from safecampus.leads.forms import (
    PublicEvidenceForm,
    PublicLeadForm,
    PublicMessageForm,
    ReceiptForm,
)
from safecampus.leads.receipts import client_key
from safecampus.leads.services import portal
from safecampus.organizations.cache import register_version
from safecampus.organizations.choices import UnitKind
from safecampus.organizations.models import Unit

LANGUAGES = ("en", "zh-hans")
#: From this zoom on the reporter's map names every school (about 4 km across a phone).
SCHOOL_LABEL_ZOOM = 14


def _client(request: HttpRequest) -> str:
    return client_key(str(request.META.get("REMOTE_ADDR", "")))


def _language(request: HttpRequest) -> str:
    """``?lang=en`` or ``?lang=zh-hans`` switches this request; '' when not asked."""
    lang = request.GET.get("lang", "")
    if lang in LANGUAGES:
        translation.activate(lang)
        request.LANGUAGE_CODE = lang
        return lang
    return ""


def _page(
    request: HttpRequest, template: str, context: dict[str, Any], *, status: int = 200
) -> HttpResponse:
    lang = getattr(request, "portal_lang", "")
    context = {
        "lang": lang,
        "lang_query": f"?lang={lang}" if lang else "",
        "hotline": settings.PORTAL_HOTLINE,
        "public_footer": True,
        **context,
    }
    response = render(request, template, context, status=status)
    response["Cache-Control"] = "no-store"
    # same-origin, not no-referrer: with no-referrer browsers send "Origin: null" on the form's
    # POST and the CSRF check refuses it. Nothing leaves this site either way.
    response["Referrer-Policy"] = "same-origin"
    response["Content-Language"] = translation.get_language()
    return response


class _PortalView(AccessMixin, View):
    access = Access.public()
    http_method_names = ["get", "post"]

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        request.portal_lang = _language(request)  # type: ignore[attr-defined]
        return super().dispatch(request, *args, **kwargs)

    def too_many(self, request: HttpRequest, seconds: int, template: str, context: Any) -> Any:
        response = _page(
            request,
            template,
            {**context, "error": portal.too_many_message(seconds)},
            status=429,
        )
        response["Retry-After"] = str(seconds)
        return response


class PortalReportView(_PortalView):
    """The public report form; on success the receipt is shown once, on this response only.

    Near a submission limit the form carries a challenge that portal-challenge.js solves
    before sending; what the reporter typed comes back on every refusal.
    """

    template_name = "leads/portal/report.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        return self.form_page(request, PublicLeadForm())

    def post(self, request: HttpRequest) -> HttpResponse:
        form = PublicLeadForm(request.POST, request.FILES)
        try:
            wait = portal.submission_check(
                _client(request),
                token=str(request.POST.get("challenge", "")),
                nonce=str(request.POST.get("nonce", "")),
                now=time.monotonic(),
            )
        except ChallengeError as exc:
            error = str(exc.message)
            if request.FILES:
                error += " " + _("Please choose your files again.")
            return self.form_page(request, form, error=error, status=exc.status_code)
        if wait:
            return self.too_many(request, wait, self.template_name, {"form": form})
        if not form.is_valid():
            return self.form_page(request, form, status=400)
        data = form.cleaned_data
        try:
            lead, receipt = portal.lead_submit_public(
                category=data["category"],
                description=data["description"],
                school=data.get("school"),
                place=data.get("place") or "",
                occurred_at=data.get("occurred_at"),
                contact=data.get("contact") or "",
                files=data.get("evidence") or [],
                persons_involved=data.get("persons_involved") or "",
                victims=data.get("victims") or "",
                urgency=data.get("urgency") or Urgency.NORMAL,
                latitude=data.get("latitude"),
                longitude=data.get("longitude"),
            )
        except DomainError as error:
            form.add_error(None, str(error.message))
            return self.form_page(request, form, status=error.status_code)
        return _page(
            request,
            "leads/portal/receipt.html",
            {"receipt": receipt, "submitted_on": lead.created_at},
        )

    def form_page(
        self, request: HttpRequest, form: PublicLeadForm, *, error: str = "", status: int = 200
    ) -> HttpResponse:
        context = {
            "form": form,
            "error": error,
            "challenge": portal.challenge_for(_client(request)),
            "map_data": {"markers": _school_points(), "zoom": 12, "label_zoom": SCHOOL_LABEL_ZOOM},
        }
        return _page(request, self.template_name, context, status=status)


def _school_points() -> list[dict[str, Any]]:
    """Every active school as a dot for the reporter's map (public facts: name and place)."""

    def compute() -> list[dict[str, Any]]:
        rows = Unit.objects.filter(
            kind=UnitKind.SCHOOL, is_active=True, latitude__isnull=False
        ).values_list("name", "latitude", "longitude")
        return [
            {"lat": float(lat), "lng": float(lng), "label": name, "radius": 5}
            for name, lat, lng in rows
            if lat is not None and lng is not None
        ]

    points = cache.get_or_set(f"portal:school-points:{register_version()}", compute, 600)
    return list(points or [])


class PortalStatusView(_PortalView):
    """Return with the receipt (POST only): milestones, messages, answer, add evidence."""

    template_name = "leads/portal/status.html"
    entry_template = "leads/portal/status_entry.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        return _page(request, self.entry_template, {"form": ReceiptForm()})

    def post(self, request: HttpRequest) -> HttpResponse:
        wait = portal.receipt_wait(_client(request))
        if wait:  # answered at once: a throttled client learns nothing about receipts
            return self.too_many(request, wait, self.entry_template, {"form": ReceiptForm()})
        # Right and wrong receipts answer after the same time (the portal's contract).
        with portal.receipt_answer_time():
            return self.answer(request)

    def answer(self, request: HttpRequest) -> HttpResponse:
        client = _client(request)
        action = request.POST.get("action", "status")
        form_class = {
            "message": PublicMessageForm,
            "evidence": PublicEvidenceForm,
        }.get(action, ReceiptForm)
        form = form_class(request.POST, request.FILES)
        entry = {"form": ReceiptForm()}
        if not form.is_valid() and "receipt" in form.errors:
            portal.receipt_failed(client)
            return _page(
                request,
                self.entry_template,
                {**entry, "error": _("Enter your receipt code.")},
                status=400,
            )
        receipt = str(request.POST.get("receipt", ""))
        notice = ""
        error = ""
        status = 200
        try:
            if form.is_valid() and action == "message":
                portal.lead_public_message(receipt=receipt, body=form.cleaned_data["message"])
                notice = _("Your answer was sent to the bureau's safety section.")
            elif form.is_valid() and action == "evidence":
                portal.lead_public_add_evidence(
                    receipt=receipt, files=form.cleaned_data["evidence"]
                )
                notice = _("Your files were added to the report.")
            elif not form.is_valid():
                error = " ".join(str(e) for errors in form.errors.values() for e in errors)
                status = 400
            result = portal.lead_public_status(receipt=receipt)
        except (portal.ReceiptMalformed, portal.ReceiptNotFound) as exc:
            portal.receipt_failed(client)
            return _page(
                request,
                self.entry_template,
                {**entry, "error": str(exc.message)},
                status=exc.status_code,
            )
        except DomainError as exc:
            error, status = str(exc.message), exc.status_code
            result = portal.lead_public_status(receipt=receipt)
        if result is None:
            portal.receipt_failed(client)
            return _page(
                request,
                self.entry_template,
                {**entry, "error": _("No report has this receipt code. Check it and try again.")},
                status=404,
            )
        context = {
            "status": result,
            "receipt": receipt,
            "message_form": PublicMessageForm(initial={"receipt": receipt}),
            "evidence_form": PublicEvidenceForm(initial={"receipt": receipt}),
            "notice": notice,
            "error": error,
        }
        return _page(request, self.template_name, context, status=status)
