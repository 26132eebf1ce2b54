"""Writes of the inspections app, one module per part: ``templates``, ``plans``,
``inspections``, ``hazards``, ``rectification``, ``accountability``. Import from the module."""
