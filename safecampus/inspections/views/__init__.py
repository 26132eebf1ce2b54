"""The inspections app's pages, one module per part: ``templates`` (checklists and the draft
editor), ``plans``, ``inspections`` (the list and the run page), ``hazards`` (the register and
rectification notices) and ``evaluation`` (ranking, ledger export, accountability). Routes
are in ``safecampus.inspections.urls``; who may open each page is in ``permissions``."""
