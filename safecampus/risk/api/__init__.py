"""The risk app's REST endpoints, one module per part; ``safecampus/api/urls.py`` includes
each module's ``urlpatterns`` under /api/v1/."""
