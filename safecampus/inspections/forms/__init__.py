"""Input of the inspections pages (and of the API where a form already parses it), one module
per part: ``templates`` (checklists and plans), ``inspections``, ``hazards``, ``evaluation``.
Forms parse and bound values; the services decide."""
