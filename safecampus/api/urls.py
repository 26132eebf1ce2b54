"""/api/v1: the shared endpoints (me, units, schools, audit events), the schema, and each
app's API, mounted by dotted path (so this module imports no domain app)."""

from django.urls import include, path
from drf_spectacular.renderers import OpenApiJsonRenderer, OpenApiYamlRenderer
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from safecampus.api import views
from safecampus.api.permissions import HasAccess
from safecampus.core.access import Access, declare

app_name = "api"


class SchemaView(SpectacularAPIView):
    """The OpenAPI document, JSON by default (``?format=yaml`` for YAML)."""

    access = Access.authenticated()
    permission_classes = [HasAccess]
    renderer_classes = [OpenApiJsonRenderer, OpenApiYamlRenderer]


class DocsView(SpectacularSwaggerSplitView):
    """Browsable API docs: a page, so anonymous visitors are sent to sign in (see config/urls).

    Our template drops drf-spectacular's inline style (the CSP allows none); the script
    is the split view's own URL. A page answers GET only: DRF's OPTIONS metadata has no
    template to render through the HTML renderer (it was a 500).
    """

    access = Access.authenticated()
    permission_classes = [HasAccess]
    template_name = "api/swagger_ui.html"
    http_method_names = ["get", "head"]


docs_page = declare(Access.authenticated())(DocsView.as_view(url_name="api:schema"))


urlpatterns = [
    path("schema/", SchemaView.as_view(), name="schema"),
    path("me/", views.MeAPIView.as_view(), name="me"),
    path("schools/", views.SchoolListAPIView.as_view(), name="school_list"),
    path("schools/<str:code>/", views.SchoolDetailAPIView.as_view(), name="school_detail"),
    path("units/", views.UnitListAPIView.as_view(), name="unit_list"),
    path("audit-events/", views.AuditEventListAPIView.as_view(), name="audit_event_list"),
    path("", include("safecampus.organizations.api")),
    path("", include("safecampus.leads.api")),
    path("", include("safecampus.security.urls.api")),
    path("", include("safecampus.inspections.api.templates")),
    path("", include("safecampus.inspections.api.inspections")),
    path("", include("safecampus.inspections.api.hazards")),
    path("", include("safecampus.inspections.api.evaluation")),
    path("", include("safecampus.risk.api.register")),
    path("", include("safecampus.risk.api.grades")),
    path("", include("safecampus.risk.api.notices")),
]
