"""Pages of the inspections app, one route module per part (each owns its names)."""

from safecampus.inspections import urls_evaluation, urls_hazards, urls_inspect, urls_templates

app_name = "inspections"
urlpatterns = [
    *urls_inspect.urlpatterns,
    *urls_templates.urlpatterns,
    *urls_hazards.urlpatterns,
    *urls_evaluation.urlpatterns,
]
