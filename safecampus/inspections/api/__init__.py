"""The inspections app's REST API, one module per part: ``templates`` (checklists and plans),
``inspections``, ``hazards`` (the register and rectification notices) and ``evaluation``
(ranking and accountability). Each module ends with its ``urlpatterns``, which
``safecampus.api.urls`` includes; the modules call the same selectors and services as the
pages and never import a view."""
