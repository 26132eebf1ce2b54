"""The inbox page, the bell in the top bar, and marking notifications read."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django.views.generic import ListView

from safecampus.core.access import Access, AccessMixin, declare
from safecampus.notifications.models import Notification
from safecampus.notifications.selectors import notification_list, unread_count
from safecampus.notifications.services import (
    notification_mark_all_read,
    notification_mark_read,
)

#: htmx event that makes the bell and the list fetch themselves again.
CHANGED_EVENT = "notifications-changed"


@method_decorator(never_cache, name="dispatch")
class NotificationListView(AccessMixin, ListView):
    access = Access.authenticated()
    template_name = "notifications/notification_list.html"
    context_object_name = "notifications"
    paginate_by = 30

    @property
    def unread_only(self) -> bool:
        return self.request.GET.get("unread") == "1"

    def get_queryset(self) -> Any:
        return notification_list(user=self.request.user, unread_only=self.unread_only)

    def get_template_names(self) -> list[str]:
        if getattr(self.request, "htmx", False):
            return ["notifications/partials/_list.html"]
        return [self.template_name]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["unread_only"] = self.unread_only
        context["unread_count"] = unread_count(user=self.request.user)
        return context


def _changed(request: HttpRequest) -> HttpResponse:
    if getattr(request, "htmx", False):
        return HttpResponse(status=204, headers={"HX-Trigger": CHANGED_EVENT})
    return HttpResponseRedirect(reverse("notifications:list"))


def _own(request: HttpRequest, pk: int) -> Notification:
    return get_object_or_404(notification_list(user=request.user), pk=pk)


class NotificationMarkReadView(AccessMixin, View):
    access = Access.authenticated()
    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        notification_mark_read(actor=request.user, notification=_own(request, pk))
        return _changed(request)


class NotificationMarkAllReadView(AccessMixin, View):
    access = Access.authenticated()
    http_method_names = ["post"]

    def post(self, request: HttpRequest) -> HttpResponse:
        notification_mark_all_read(actor=request.user)
        return _changed(request)


class NotificationOpenView(AccessMixin, View):
    """Mark read, then go where the notification points (only ever inside this site)."""

    access = Access.authenticated()
    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        notification = notification_mark_read(actor=request.user, notification=_own(request, pk))
        target = notification.url
        safe = url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
        return HttpResponseRedirect(target if target and safe else reverse("notifications:list"))


@declare(Access.authenticated())
@never_cache
@require_GET
def bell(request: HttpRequest) -> HttpResponse:
    """The top bar's bell: an htmx fragment with the unread count."""
    return render(
        request, "notifications/partials/_bell.html", {"unread": unread_count(user=request.user)}
    )
