"""Pages of the risk early-warning app, one route module per part (each owns its names)."""

from safecampus.risk import urls_grades, urls_notices, urls_register

app_name = "risk"
urlpatterns = [
    *urls_grades.urlpatterns,
    *urls_register.urlpatterns,
    *urls_notices.urlpatterns,
]
