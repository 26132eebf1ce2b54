from __future__ import annotations

from typing import Any

from django.views.generic import TemplateView

from safecampus.core.access import Access, AccessMixin


class HomeView(AccessMixin, TemplateView):
    access = Access.authenticated()
    template_name = "dashboard/home.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(**kwargs)
