from __future__ import annotations

from typing import Any, cast

from django.views.generic import TemplateView

from safecampus.accounts.models import User
from safecampus.cases.selectors import deadline_overdue_list
from safecampus.core.access import Access, AccessMixin
from safecampus.dashboard.navigation import modules_for
from safecampus.dashboard.selectors import overview


class HomeView(AccessMixin, TemplateView):
    """The first page: district or school numbers, what needs chasing, and the mission's modules."""

    access = Access.authenticated()
    template_name = "dashboard/home.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = cast(User, self.request.user)  # the access gate let only signed-in users in
        data = overview(user=user)
        chart = {
            "tooltip": {"trigger": "item"},
            "series": [
                {
                    "type": "pie",
                    "radius": ["45%", "72%"],
                    "data": data.by_kind,
                    "label": {"formatter": "{b}\n{c}"},
                }
            ],
        }
        context.update(
            overview=data,
            district_wide=user.scope.district_wide,
            chart=chart,
            overdue_count=deadline_overdue_list(user=user).count(),
            modules=[m for m in modules_for(user) if m.key != "home"],
        )
        return context
