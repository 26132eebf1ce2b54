from django.urls import include, path
from django.views.i18n import set_language

from safecampus.api.urls import docs_page
from safecampus.core.access import Access, declare
from safecampus.core.views import healthz
from safecampus.security.views.console import AlertStreamAliasView

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("i18n/setlang/", declare(Access.public())(set_language), name="set_language"),
    path("accounts/", include("safecampus.accounts.urls")),
    path("api/v1/", include("safecampus.api.urls")),
    path("docs/api/", docs_page, name="api_docs"),
    path("", include("safecampus.dashboard.urls")),
    path("organizations/", include("safecampus.organizations.urls")),
    path("audit/", include("safecampus.audit.urls")),
    path("notifications/", include("safecampus.notifications.urls")),
    path("attachments/", include("safecampus.attachments.urls")),
    path("cases/", include("safecampus.cases.urls")),
    path("leads/", include("safecampus.leads.urls")),
    path("report/", include("safecampus.leads.urls.portal")),
    path("security/", include("safecampus.security.urls.devices")),
    path("security/", include("safecampus.security.urls")),
    path("alerts/stream/", AlertStreamAliasView.as_view(), name="alert_stream"),
    path("security/rules/", include("safecampus.security.urls.rules")),
    path("inspections/", include("safecampus.inspections.urls")),
    path("risk/", include("safecampus.risk.urls")),
]

handler400 = "safecampus.core.views.error_400"
handler403 = "safecampus.core.views.error_403"
handler404 = "safecampus.core.views.error_404"
handler500 = "safecampus.core.views.error_500"
