"""Writes of the inspections app, one module per part: ``templates``, ``plans``,
``inspections``, ``hazards``, ``rectification``, ``accountability``, and ``shipped`` (putting
back the district's starting checklists); ``common`` holds the helpers they share (audit
rows, role checks). Import from the module."""
